import type { Child } from 'hono/jsx';
import { fieldId, type FieldErrors } from '../../../platform/views/form-kit.tsx';

/**
 * Checkboxes in a fieldset whose legend is the question, after the form kit's Radios (which has no
 * multiple-choice sibling yet): the first box carries the field id the error summary links to.
 */
export function CheckboxGroup(p: { name: string; label: Child; hint?: Child; options: ReadonlyArray<{ value: string; label: string }>; values: readonly string[]; errors?: FieldErrors; optional?: boolean }) {
  const id = fieldId(p.name);
  const error = p.errors?.[p.name];
  const described = [p.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`form-group${error ? ' form-group--error' : ''}`}>
      <fieldset class="fieldset" aria-describedby={described}>
        <legend class="fieldset__legend">
          {p.label}
          {p.optional ? <span class="optional"> (facultatif)</span> : null}
        </legend>
        {p.hint ? (
          <div id={`${id}-hint`} class="hint">
            {p.hint}
          </div>
        ) : null}
        {error ? (
          <p id={`${id}-error`} class="error-message">
            <span class="visually-hidden">Erreur : </span>
            {error}
          </p>
        ) : null}
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
      </fieldset>
    </div>
  );
}
