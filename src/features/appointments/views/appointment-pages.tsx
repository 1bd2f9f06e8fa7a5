import { PublicPage, type Site } from '../../../areas/public/layout.tsx';
import { formatDate, formatTime, formatSlot, zoneLabel } from '../../../platform/time.ts';
import { Button, ErrorSummary, HiddenFields, Radios, TextArea, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { modeLabels, bookingFieldOrder, type AppointmentMode } from '../appointment.ts';
import type { AppointmentRecord, OpenSlotView } from '../appointments-repository.ts';

function Privacy({ site }: { site: Site }) {
  const t = site.territory;
  return (
    <p class="privacy">
      Votre rendez-vous et votre message sont vus par l’équipe {t.programmeName} {t.authority.of}, seulement pour vous accompagner dans votre projet. N’écrivez pas d’information sur votre santé. <a href="/donnees-personnelles">Vos données et vos droits</a>.
    </p>
  );
}

export function ChooseSlotPage(p: {
  site: Site;
  token: string;
  firstName: string;
  slots: OpenSlotView[];
  referentId: string | null;
  value: string;
  errors: FieldErrors;
  upcoming: { starts_at: string; ends_at: string; token: string } | null;
}) {
  const t = p.site.territory;
  const zone = t.timezone;
  // The household's own referent first: the person they will most likely talk to again.
  const ordered = p.referentId ? [...p.slots.filter((x) => x.agent_id === p.referentId), ...p.slots.filter((x) => x.agent_id !== p.referentId)] : p.slots;
  return (
    <PublicPage site={p.site} title="Prendre rendez-vous avec un référent" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Prendre rendez-vous avec un référent</h1>
        {p.upcoming ? (
          <>
            <div class="notice" role="status">
              <p>
                {p.firstName}, vous avez déjà un rendez-vous le {formatSlot(p.upcoming.starts_at, p.upcoming.ends_at, zone)}.
              </p>
            </div>
            <p>
              <a href={`/rendez-vous/${p.upcoming.token}`}>Voir ou annuler ce rendez-vous</a>
            </p>
          </>
        ) : ordered.length === 0 ? (
          <>
            {/* Told why first (the slot chosen was just taken), even with nothing left to choose from. */}
            {p.errors.slot ? (
              <div class="notice" role="alert">
                <p>{p.errors.slot}</p>
              </div>
            ) : null}
            <p class="lead">{p.firstName}, aucun {p.errors.slot ? 'autre ' : ''}créneau n’est ouvert pour le moment.</p>
            <p>
              Revenez dans quelques jours, ou écrivez-nous à <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>
              {t.contact.phone ? ` ou appelez le ${t.contact.phone}` : ''} : nous vous proposerons un moment.
            </p>
          </>
        ) : (
          <>
            <p class="lead">{p.firstName}, un référent {t.programmeName} vous appelle ou vous retrouve en visio pour faire le point sur votre projet, gratuitement. Choisissez le moment qui vous convient.</p>
            <form method="post" action={`/mon-inscription/${p.token}/rendez-vous`} novalidate>
              <ErrorSummary errors={p.errors} order={bookingFieldOrder} />
              <Radios
                name="slot"
                label="Choisissez un créneau"
                hint={`Heures en ${zoneLabel(zone)}.`}
                value={p.value}
                errors={p.errors}
                options={ordered.map((x) => ({
                  value: x.id,
                  label: `${formatDate(x.starts_at, zone)}, de ${formatTime(x.starts_at, zone)} à ${formatTime(x.ends_at, zone)}`,
                  hint: `${modeLabels[x.mode]}, avec ${x.agentName}${x.agent_id === p.referentId ? ', votre référent·e' : ''}`,
                }))}
              />
              <Button>Continuer</Button>
            </form>
          </>
        )}
        <p>
          <a href={`/mon-inscription/${p.token}`}>Retour à mon inscription</a>
        </p>
      </div>
    </PublicPage>
  );
}

export function ConfirmBookingPage(p: { site: Site; token: string; slot: OpenSlotView; values: Record<string, string>; errors: FieldErrors }) {
  const zone = p.site.territory.timezone;
  const mode: AppointmentMode = p.slot.mode;
  return (
    <PublicPage site={p.site} title="Confirmer le rendez-vous" hasError={Object.keys(p.errors).length > 0} noindex>
      <div class="container">
        <h1>Confirmer le rendez-vous</h1>
        <dl class="summary-list">
          <div>
            <dt>Quand</dt>
            <dd>{formatSlot(p.slot.starts_at, p.slot.ends_at, zone)}</dd>
          </div>
          <div>
            <dt>Comment</dt>
            <dd>{mode === 'phone' ? `Par téléphone : ${p.slot.agentName} vous appelle` : 'En visio : le lien vous est envoyé par e-mail'}</dd>
          </div>
          <div>
            <dt>Avec</dt>
            <dd>{p.slot.agentName}</dd>
          </div>
        </dl>
        <p>
          <a href={`/mon-inscription/${p.token}/rendez-vous`}>Choisir un autre créneau</a>
        </p>
        <form method="post" action={`/mon-inscription/${p.token}/rendez-vous/confirmer`} novalidate>
          <ErrorSummary errors={p.errors} order={bookingFieldOrder} />
          <HiddenFields fields={{ slot: p.slot.id }} />
          {mode === 'phone' ? <TextInput name="phone" type="tel" label="Le numéro auquel vous appeler" value={p.values.phone} errors={p.errors} autocomplete="tel" width="half" maxlength={30} /> : null}
          <TextArea name="topic" label="De quoi souhaitez-vous parler ?" hint="Quelques mots pour que votre référent prépare l’échange." required={false} value={p.values.topic} errors={p.errors} rows={3} maxlength={1000} />
          <Privacy site={p.site} />
          <Button>Confirmer le rendez-vous</Button>
        </form>
      </div>
    </PublicPage>
  );
}

export function AppointmentPage(p: { site: Site; token: string; appointment: AppointmentRecord; now: Date; flash: 'booked' | 'cancelled' | null; bookAgainUrl: string | null }) {
  const t = p.site.territory;
  const a = p.appointment;
  const zone = t.timezone;
  const started = p.now.getTime() >= new Date(a.starts_at).getTime();
  const title = a.status === 'cancelled' ? 'Rendez-vous annulé' : p.flash === 'booked' ? 'Rendez-vous confirmé' : 'Mon rendez-vous';
  return (
    <PublicPage site={p.site} title={title} noindex>
      <div class="container">
        {p.flash === 'booked' && a.status === 'booked' ? (
          <div class="panel" role="status">
            <h1>Rendez-vous confirmé</h1>
            <p>Vous recevez une confirmation par e-mail, avec un fichier pour l’ajouter à votre agenda, puis un rappel la veille.</p>
          </div>
        ) : p.flash === 'cancelled' || a.status === 'cancelled' ? (
          <div class="notice" role="status">
            <h1>Rendez-vous annulé</h1>
            <p>{a.cancelled_by === 'agent' ? `${a.agentName} a dû annuler ce rendez-vous : vous avez reçu un e-mail. Toutes nos excuses.` : 'Votre rendez-vous est annulé et le créneau libéré. Vous avez reçu un e-mail de confirmation.'}</p>
          </div>
        ) : (
          <h1>Mon rendez-vous</h1>
        )}
        <dl class="summary-list">
          <div>
            <dt>Quand</dt>
            <dd>{formatSlot(a.starts_at, a.ends_at, zone)}</dd>
          </div>
          <div>
            <dt>Comment</dt>
            <dd>
              {a.mode === 'phone' ? (
                `Par téléphone : ${a.agentName} vous appelle${a.phone ? ` au ${a.phone}` : ''}`
              ) : a.status === 'booked' && a.video_url ? (
                <>
                  En visio : <a href={a.video_url}>{a.video_url}</a>
                </>
              ) : (
                'En visio'
              )}
            </dd>
          </div>
          <div>
            <dt>Avec</dt>
            <dd>
              {a.agentName}, référent·e {t.programmeName}
            </dd>
          </div>
          {a.topic ? (
            <div>
              <dt>Votre message</dt>
              <dd>{a.topic}</dd>
            </div>
          ) : null}
        </dl>
        {a.status === 'booked' && !started ? (
          <>
            <p>
              <a href={`/rendez-vous/${p.token}/agenda.ics`}>Ajouter le rendez-vous à mon agenda (fichier .ics)</a>
            </p>
            <h2>Annuler ce rendez-vous</h2>
            <p>Vous ne pourrez pas être disponible ? Annulez : le créneau servira à quelqu’un d’autre.</p>
            <p>
              <a class="button button--warning" href={`/rendez-vous/${p.token}/annuler`}>
                Annuler mon rendez-vous
              </a>
            </p>
          </>
        ) : null}
        {a.status === 'cancelled' && p.bookAgainUrl ? (
          <p>
            <a href={p.bookAgainUrl}>Choisir un autre créneau</a>
          </p>
        ) : null}
        <p>
          Une question ? <a href={`mailto:${t.contact.email}`}>{t.contact.email}</a>
        </p>
      </div>
    </PublicPage>
  );
}

export function CancelAppointmentPage(p: { site: Site; token: string; appointment: AppointmentRecord }) {
  const a = p.appointment;
  return (
    <PublicPage site={p.site} title="Annuler mon rendez-vous" noindex>
      <div class="container">
        <h1>Voulez-vous vraiment annuler votre rendez-vous ?</h1>
        <p>
          Votre rendez-vous avec {a.agentName} le {formatSlot(a.starts_at, a.ends_at, p.site.territory.timezone)} sera annulé et le créneau libéré. {a.agentName} sera prévenu·e.
        </p>
        <form method="post" action={`/rendez-vous/${p.token}/annuler`}>
          <div class="button-row">
            <Button variant="warning">Oui, annuler mon rendez-vous</Button>
            <a href={`/rendez-vous/${p.token}`}>Non, le garder</a>
          </div>
        </form>
      </div>
    </PublicPage>
  );
}
