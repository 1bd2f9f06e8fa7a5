import { AdminPage, type AdminPageProps } from '../../../areas/admin/layout.tsx';
import { formatDate, formatTime, formatSlot, zoneLabel } from '../../../platform/time.ts';
import { Button, ErrorSummary, HiddenFields, Radios, TextInput, type FieldErrors } from '../../../platform/views/form-kit.tsx';
import { durations, MAX_SLOTS_AT_ONCE, modeLabels, slotFieldOrder } from '../appointment.ts';
import type { AgentSlotView, AppointmentRecord, AwaitingOutcome } from '../appointments-repository.ts';

type Frame = Omit<AdminPageProps, 'children' | 'title' | 'current'>;

/**
 * The appointments whose time has come, for the referent to say how they went: the file then knows
 * whether the person was met (its last contact moves) or is to be called again.
 */
function AwaitingOutcomeTable(p: { items: AwaitingOutcome[]; zone: string; csrf: string }) {
  return (
    <>
      <h2 id="a-renseigner">À renseigner : ont-ils eu lieu ?</h2>
      <div class="table-wrap">
        <table aria-labelledby="a-renseigner">
          <thead>
            <tr>
              <th scope="col">Rendez-vous</th>
              <th scope="col">Personne</th>
              <th scope="col">Comment s’est-il passé ?</th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((x) => {
              const when = formatSlot(x.starts_at, x.ends_at, p.zone);
              return (
                <tr>
                  <td>
                    {when}
                    <div class="hint">{modeLabels[x.mode]}</div>
                  </td>
                  <td>
                    <a href={`/admin/candidats/${x.candidateId}`}>{x.candidateName}</a>
                    {x.mode === 'phone' && x.phone ? `, ${x.phone}` : ''}
                    {x.topic ? <div class="hint">{x.topic}</div> : null}
                  </td>
                  <td class="actions-cell">
                    <div class="button-row">
                      {(['tenu', 'manque'] as const).map((issue) => (
                        <form method="post" action={`/admin/rendez-vous/${x.id}/issue`}>
                          <HiddenFields fields={{ _csrf: p.csrf, issue }} />
                          <Button variant="secondary">
                            {issue === 'tenu' ? 'A eu lieu' : 'La personne n’est pas venue'}
                            <span class="visually-hidden"> : rendez-vous du {when} avec {x.candidateName}</span>
                          </Button>
                        </form>
                      ))}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>À venir</h2>
    </>
  );
}

export function AgentSlotsPage(p: Frame & { slots: AgentSlotView[]; awaiting: AwaitingOutcome[]; zone: string; forName: string | null }) {
  return (
    <AdminPage {...p} title="Rendez-vous" current="appointments" wide>
      <h1>{p.forName ? `Rendez-vous de ${p.forName}` : 'Mes rendez-vous'}</h1>
      <p>Les personnes prennent rendez-vous depuis leur lien personnel ou l’e-mail du replay, parmi les créneaux libres des six semaines à venir. Heures en {zoneLabel(p.zone)}.</p>
      <div class="button-row">
        <a class="button button--primary" href="/admin/rendez-vous/creneaux/nouveaux">
          Publier des créneaux
        </a>
      </div>
      {p.awaiting.length ? <AwaitingOutcomeTable items={p.awaiting} zone={p.zone} csrf={p.csrf} /> : null}
      {p.slots.length === 0 ? (
        <p class="inset">Aucun créneau à venir : publiez-en pour que les personnes puissent prendre rendez-vous.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Créneaux et rendez-vous à venir</caption>
            <thead>
              <tr>
                <th scope="col">Jour</th>
                <th scope="col">Heure</th>
                <th scope="col">Mode</th>
                <th scope="col">État</th>
                <th scope="col">Personne</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {p.slots.map((x) => {
                const when = `${formatDate(x.starts_at, p.zone)} à ${formatTime(x.starts_at, p.zone)}`;
                return (
                  <tr>
                    <td class="nowrap">{formatDate(x.starts_at, p.zone)}</td>
                    <td class="nowrap">
                      {formatTime(x.starts_at, p.zone)} – {formatTime(x.ends_at, p.zone)}
                    </td>
                    <td>{modeLabels[x.mode]}</td>
                    <td>{x.status === 'booked' ? <span class="tag tag--green">Réservé</span> : <span class="tag tag--grey">Libre</span>}</td>
                    <td>
                      {x.candidateId ? (
                        <>
                          <a href={`/admin/candidats/${x.candidateId}`}>{x.candidateName}</a>
                          {x.mode === 'phone' && x.phone ? `, ${x.phone}` : ''}
                          {x.topic ? <div class="hint">{x.topic}</div> : null}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td class="actions-cell">
                      {x.status === 'open' ? (
                        <a href={`/admin/rendez-vous/creneaux/${x.id}/retirer`}>
                          Retirer<span class="visually-hidden"> le créneau du {when}</span>
                        </a>
                      ) : x.appointmentId ? (
                        <a href={`/admin/rendez-vous/${x.appointmentId}/annuler`}>
                          Annuler<span class="visually-hidden"> le rendez-vous du {when}</span>
                        </a>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}

export function PublishSlotsPage(p: Frame & { values: Record<string, string>; errors: FieldErrors; zone: string }) {
  return (
    <AdminPage {...p} title="Publier des créneaux" current="appointments" hasError={Object.keys(p.errors).length > 0} trail={[['Rendez-vous', '/admin/rendez-vous']]}>
      <h1>Publier des créneaux</h1>
      <p>Indiquez un jour et une plage horaire : elle est découpée en créneaux de la durée choisie ({MAX_SLOTS_AT_ONCE} au plus à la fois). Heures en {zoneLabel(p.zone)}.</p>
      <form method="post" action="/admin/rendez-vous/creneaux/nouveaux" novalidate>
        <ErrorSummary errors={p.errors} order={slotFieldOrder} />
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <Radios
          name="mode"
          label="Comment ?"
          value={p.values.mode ?? 'phone'}
          errors={p.errors}
          inline
          options={[
            { value: 'phone', label: modeLabels.phone },
            { value: 'video', label: modeLabels.video },
          ]}
        />
        <TextInput name="day" type="date" label="Jour" hint="Par exemple : 12/01/2027." value={p.values.day} errors={p.errors} width="quarter" />
        <TextInput name="from" type="time" label="De" hint="Par exemple : 09:00." value={p.values.from} errors={p.errors} width="quarter" />
        <TextInput name="to" type="time" label="À" hint="Par exemple : 12:00." value={p.values.to} errors={p.errors} width="quarter" />
        <Radios name="duration" label="Durée d’un rendez-vous" value={p.values.duration ?? '30'} errors={p.errors} inline options={durations.map((d) => ({ value: String(d), label: `${d} minutes` }))} />
        <TextInput name="videoUrl" type="url" label="Lien de la visio" hint="Seulement pour les créneaux en visio ; il est envoyé à la personne avec la confirmation." required={false} value={p.values.videoUrl} errors={p.errors} autocomplete="off" spellcheck={false} />
        <div class="button-row">
          <Button>Publier les créneaux</Button>
          <a href="/admin/rendez-vous">Revenir sans publier</a>
        </div>
      </form>
    </AdminPage>
  );
}

export function ConfirmSlotActionPage(p: Frame & { heading: string; body: string; action: string; button: string }) {
  return (
    <AdminPage {...p} title={p.heading} current="appointments" trail={[['Rendez-vous', '/admin/rendez-vous']]}>
      <h1>{p.heading}</h1>
      <p>{p.body}</p>
      <form method="post" action={p.action}>
        <HiddenFields fields={{ _csrf: p.csrf }} />
        <div class="button-row">
          <Button variant="warning">{p.button}</Button>
          <a href="/admin/rendez-vous">Revenir sans rien changer</a>
        </div>
      </form>
    </AdminPage>
  );
}

export function cancelAppointmentWording(a: AppointmentRecord, zone: string) {
  return {
    heading: `Annuler le rendez-vous avec ${a.first_name} ${a.last_name} ?`,
    body: `Le rendez-vous du ${formatSlot(a.starts_at, a.ends_at, zone)} sera annulé ; ${a.first_name} recevra un e-mail d’excuses avec de quoi choisir un autre créneau, et ce créneau redeviendra libre (retirez-le ensuite si vous n’êtes pas disponible).`,
  };
}
