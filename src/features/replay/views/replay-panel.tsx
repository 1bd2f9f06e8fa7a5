import type { ReplayProgress } from '../send-replay.ts';
import { recommendLabels } from '../../survey/survey.ts';

export interface SurveySummaryView {
  answers: number;
  averageUsefulness: number | null;
  recommend: Record<keyof typeof recommendLabels, number>;
  comments: string[];
}

const jobStatus: Record<ReplayProgress['status'], string> = {
  none: 'pas encore envoyé',
  queued: 'envoi prévu',
  running: 'envoi en cours',
  done: 'écrit pour tous les inscrits',
  failed: 'envoi interrompu',
};

/** On a past Rencontre's page: the replay (where it stands) and what people said in the survey. */
export function AfterRencontrePanel(p: { webinarId: string; replayUrl: string | null; progress: ReplayProgress; survey: SurveySummaryView; videoTool: 'link' | 'zoom' | 'bbb'; csrf: string }) {
  const pr = p.progress;
  const pct = pr.total ? Math.round((100 * pr.sent) / pr.total) : 0;
  return (
    <section aria-labelledby="after-title" class="card">
      <h2 id="after-title">Après la Rencontre</h2>
      {p.videoTool !== 'link' ? (
        <form method="post" action={`/admin/rencontres/${p.webinarId}/presences`}>
          <input type="hidden" name="_csrf" value={p.csrf} />
          <p>
            Les présences viennent de {p.videoTool === 'zoom' ? 'Zoom' : 'BigBlueButton'} après la fin.{' '}
            <button type="submit" class="link-button">
              Les relire maintenant
            </button>
          </p>
        </form>
      ) : null}
      <h3>Replay</h3>
      {p.replayUrl ? (
        <p>
          Lien : <a href={p.replayUrl}>{p.replayUrl}</a>
        </p>
      ) : (
        <p>Aucun lien de replay pour le moment.</p>
      )}
      <p role="status">
        Replay {jobStatus[pr.status]}
        {pr.status !== 'none' ? ` : ${pr.sent} e-mail${pr.sent > 1 ? 's' : ''} envoyé${pr.sent > 1 ? 's' : ''} sur ${pr.total} inscrits (${pct} %), ${pr.written} écrit${pr.written > 1 ? 's' : ''}.` : '.'}
        {pr.lastError && pr.status !== 'done' ? ` Dernière erreur : ${pr.lastError}` : ''}
      </p>
      {pr.status !== 'none' ? (
        <progress max={Math.max(pr.total, 1)} value={pr.sent} aria-label="Replays envoyés">
          {pct} %
        </progress>
      ) : null}
      <p>
        <a href={`/admin/rencontres/${p.webinarId}/replay`}>{p.replayUrl ? 'Changer le lien du replay' : 'Envoyer le replay aux inscrits'}</a>
      </p>
      <h3>Avis des participants</h3>
      {p.survey.answers === 0 ? (
        <p>Aucune réponse au questionnaire pour le moment.</p>
      ) : (
        <>
          <p>
            {p.survey.answers} réponse{p.survey.answers > 1 ? 's' : ''}. Utilité moyenne : {p.survey.averageUsefulness!.toFixed(1).replace('.', ',')} sur 5. Recommanderaient la Rencontre : {p.survey.recommend.oui} oui, {p.survey.recommend['peut-etre']} peut-être, {p.survey.recommend.non} non.
          </p>
          {p.survey.comments.length ? (
            <details class="details">
              <summary>Les commentaires ({p.survey.comments.length})</summary>
              <div>
                <ul>
                  {p.survey.comments.map((c) => (
                    <li>{c}</li>
                  ))}
                </ul>
              </div>
            </details>
          ) : null}
        </>
      )}
    </section>
  );
}
