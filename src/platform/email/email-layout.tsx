import type { Child } from 'hono/jsx';

export interface EmailBrand {
  programmeName: string;
  primary: string;
  footer: string;
}

/** A plain, table-free e-mail body with inline styles: what most mail clients render alike. */
export function EmailLayout({ brand, title, children }: { brand: EmailBrand; title: string; children: Child }) {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
      </head>
      <body style="margin:0;padding:0;background:#f3f2f1;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1b1f1e">
        <div style="max-width:600px;margin:0 auto;background:#ffffff">
          <div style={`background:${brand.primary};color:#ffffff;padding:16px 24px;font-size:20px;font-weight:bold`}>{brand.programmeName}</div>
          <div style="padding:24px">{children}</div>
          <div style="padding:16px 24px;font-size:13px;color:#484949;border-top:1px solid #b1b4b6">{brand.footer}</div>
        </div>
      </body>
    </html>
  );
}

export function EmailButton({ href, children, colour }: { href: string; children: Child; colour: string }) {
  return (
    <p style="margin:24px 0">
      <a href={href} style={`display:inline-block;background:${colour};color:#ffffff;padding:12px 20px;text-decoration:none;font-weight:bold`}>
        {children}
      </a>
    </p>
  );
}

export async function renderEmailHtml(node: Child): Promise<string> {
  return '<!DOCTYPE html>' + (await (node as { toString(): string | Promise<string> }).toString());
}
