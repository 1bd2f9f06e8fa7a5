import type { Child } from 'hono/jsx';

/**
 * The accessible form kit, after the GOV.UK Design System: one label per field, hints and errors
 * tied with aria-describedby, an error summary that takes focus and links to each field.
 */

export type FieldErrors = Record<string, string>;

export interface FieldBase {
  name: string;
  label: Child;
  hint?: Child;
  errors?: FieldErrors;
  /** id prefix when two forms share a page. */
  idPrefix?: string;
}

export const fieldId = (name: string, prefix = 'f') => `${prefix}-${name}`;

function describedBy(id: string, hasHint: boolean, error: string | undefined): string | undefined {
  const ids = [hasHint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function ErrorMessage({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={`${id}-error`} class="error-message">
      <span class="visually-hidden">Erreur : </span>
      {message}
    </p>
  );
}

function Hint({ id, hint }: { id: string; hint: Child | undefined }) {
  if (!hint) return null;
  return (
    <div id={`${id}-hint`} class="hint">
      {hint}
    </div>
  );
}

const Optional = ({ shown }: { shown: boolean }) => (shown ? <span class="optional"> (facultatif)</span> : null);

/** One control under its label, hint and error message, in a group marked when in error. */
function LabelledField({ id, label, hint, error, optional, children }: { id: string; label: Child; hint: Child | undefined; error: string | undefined; optional: boolean; children: Child }) {
  return (
    <div class={`form-group${error ? ' form-group--error' : ''}`}>
      <label class="label" for={id}>
        {label}
        <Optional shown={optional} />
      </label>
      <Hint id={id} hint={hint} />
      <ErrorMessage id={id} message={error} />
      {children}
    </div>
  );
}

/** Several controls answering one question: a fieldset whose legend is the question, then its hint and error message. */
function QuestionFieldset({ id, label, hint, error, optional, children }: { id: string; label: Child; hint: Child | undefined; error: string | undefined; optional: boolean; children: Child }) {
  return (
    <div class={`form-group${error ? ' form-group--error' : ''}`}>
      <fieldset class="fieldset" aria-describedby={describedBy(id, Boolean(hint), error)}>
        <legend class="fieldset__legend">
          {label}
          <Optional shown={optional} />
        </legend>
        <Hint id={id} hint={hint} />
        <ErrorMessage id={id} message={error} />
        {children}
      </fieldset>
    </div>
  );
}

/** The summary at the top of a form in error: focused on load, each message links to its field. */
export function ErrorSummary({ errors, idPrefix = 'f', order }: { errors: FieldErrors; idPrefix?: string; order?: string[] }) {
  const keys = Object.keys(errors);
  if (keys.length === 0) return null;
  const sorted = order ? [...keys].sort((a, b) => rank(order, a) - rank(order, b)) : keys;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1} autofocus>
      <h2 id="error-summary-title" class="error-summary__title">
        Il y a un problème
      </h2>
      <ul class="error-summary__list">
        {sorted.map((k) => (
          <li>
            <a href={`#${fieldId(k, idPrefix)}`}>{errors[k]}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
const rank = (order: string[], k: string) => {
  const i = order.indexOf(k);
  return i === -1 ? order.length : i;
};

export interface TextInputProps extends FieldBase {
  value?: string | null;
  type?: 'text' | 'email' | 'tel' | 'url' | 'number' | 'date' | 'time' | 'password' | 'search';
  autocomplete?: string;
  inputmode?: 'text' | 'numeric' | 'tel' | 'email' | 'url' | 'decimal';
  width?: 'full' | 'half' | 'quarter' | 'short';
  required?: boolean;
  spellcheck?: boolean;
  maxlength?: number;
}

export function TextInput(p: TextInputProps) {
  const id = fieldId(p.name, p.idPrefix);
  const error = p.errors?.[p.name];
  return (
    <LabelledField id={id} label={p.label} hint={p.hint} error={error} optional={p.required === false}>
      <input
        class={`input input--${p.width ?? 'full'}${error ? ' input--error' : ''}`}
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        spellcheck={p.spellcheck}
        maxlength={p.maxlength}
        aria-describedby={describedBy(id, Boolean(p.hint), error)}
        aria-invalid={error ? 'true' : undefined}
      />
    </LabelledField>
  );
}

export function TextArea(p: FieldBase & { value?: string | null; rows?: number; required?: boolean; maxlength?: number }) {
  const id = fieldId(p.name, p.idPrefix);
  const error = p.errors?.[p.name];
  return (
    <LabelledField id={id} label={p.label} hint={p.hint} error={error} optional={p.required === false}>
      <textarea
        class={`textarea${error ? ' input--error' : ''}`}
        id={id}
        name={p.name}
        rows={p.rows ?? 4}
        maxlength={p.maxlength}
        aria-describedby={describedBy(id, Boolean(p.hint), error)}
        aria-invalid={error ? 'true' : undefined}
      >
        {p.value ?? ''}
      </textarea>
    </LabelledField>
  );
}

export interface Choice {
  value: string;
  label: Child;
  hint?: Child;
}

/** Radios in a fieldset whose legend is the question; the first radio carries the field id. */
export function Radios(p: FieldBase & { options: Choice[]; value?: string | null; inline?: boolean; required?: boolean }) {
  const id = fieldId(p.name, p.idPrefix);
  const error = p.errors?.[p.name];
  return (
    <QuestionFieldset id={id} label={p.label} hint={p.hint} error={error} optional={p.required === false}>
      <div class={`radios${p.inline ? ' radios--inline' : ''}`}>
        {p.options.map((o, i) => {
          const oid = i === 0 ? id : `${id}-${i + 1}`;
          return (
            <div class="radios__item">
              <input class="radios__input" id={oid} name={p.name} type="radio" value={o.value} checked={p.value === o.value} />
              <label class="radios__label" for={oid}>
                {o.label}
              </label>
              {o.hint ? <div class="hint radios__hint">{o.hint}</div> : null}
            </div>
          );
        })}
      </div>
    </QuestionFieldset>
  );
}

export function Select(p: FieldBase & { options: Choice[]; value?: string | null; placeholder?: string; required?: boolean; autocomplete?: string }) {
  const id = fieldId(p.name, p.idPrefix);
  const error = p.errors?.[p.name];
  return (
    <LabelledField id={id} label={p.label} hint={p.hint} error={error} optional={p.required === false}>
      <select
        class={`select${error ? ' input--error' : ''}`}
        id={id}
        name={p.name}
        autocomplete={p.autocomplete}
        aria-describedby={describedBy(id, Boolean(p.hint), error)}
        aria-invalid={error ? 'true' : undefined}
      >
        {p.placeholder !== undefined ? <option value="">{p.placeholder}</option> : null}
        {p.options.map((o) => (
          <option value={o.value} selected={p.value === o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </LabelledField>
  );
}

/** A filter of a list: a choice among `[value, label]` pairs, or all of them ("Tous" unless told). */
export function FilterSelect(p: { id: string; label: string; value: string | null; options: ReadonlyArray<readonly [string, string]>; all?: string }) {
  return <Select name={p.id} label={p.label} placeholder={p.all ?? 'Tous'} value={p.value} options={p.options.map(([value, label]) => ({ value, label }))} />;
}

export function Checkbox(p: FieldBase & { checked?: boolean; value?: string }) {
  const id = fieldId(p.name, p.idPrefix);
  const error = p.errors?.[p.name];
  return (
    <div class={`form-group${error ? ' form-group--error' : ''}`}>
      <ErrorMessage id={id} message={error} />
      <div class="checkboxes__item">
        <input
          class="checkboxes__input"
          id={id}
          name={p.name}
          type="checkbox"
          value={p.value ?? 'oui'}
          checked={p.checked}
          aria-describedby={describedBy(id, Boolean(p.hint), error)}
        />
        <label class="checkboxes__label" for={id}>
          {p.label}
        </label>
        {p.hint ? (
          <div id={`${id}-hint`} class="hint checkboxes__hint">
            {p.hint}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function Button({ children, variant = 'primary', name, value, type = 'submit' }: { children: Child; variant?: 'primary' | 'secondary' | 'warning'; name?: string; value?: string; type?: 'submit' | 'button' }) {
  return (
    <button class={`button button--${variant}`} type={type} name={name} value={value}>
      {children}
    </button>
  );
}

/** The fields every state-changing form carries: the CSRF token (back-office) and an idempotency key. */
export function HiddenFields({ fields }: { fields: Record<string, string | undefined> }) {
  return (
    <>
      {Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
    </>
  );
}

/**
 * Checkboxes in a fieldset whose legend is the question, the multiple-choice sibling of Radios: the first box carries the field id the error summary links to.
 */
export function CheckboxGroup(p: { name: string; idPrefix?: string; label: Child; hint?: Child; options: ReadonlyArray<{ value: string; label: string }>; values: readonly string[]; errors?: FieldErrors; optional?: boolean }) {
  const id = fieldId(p.name, p.idPrefix);
  const error = p.errors?.[p.name];
  return (
    <QuestionFieldset id={id} label={p.label} hint={p.hint} error={error} optional={Boolean(p.optional)}>
      {p.options.map((o, i) => {
        const oid = i === 0 ? id : `${id}-${i + 1}`;
        return (
          <div class="checkboxes__item">
            <input class="checkboxes__input" type="checkbox" id={oid} name={p.name} value={o.value} checked={p.values.includes(o.value)} />
            <label class="checkboxes__label" for={oid}>
              {o.label}
            </label>
          </div>
        );
      })}
    </QuestionFieldset>
  );
}
