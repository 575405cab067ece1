// Under the filters: how many rows the export would write, and a warning naming the likely cause
// and the column's real values when it would write none.
import { count } from '../../format.ts';
import type { MatchCount } from './dataset-queries.ts';

export function MatchCountLine({
  match,
  confirming,
}: {
  match: MatchCount;
  /** The user pressed Create once with nothing matching: the next press creates it. */
  confirming: boolean;
}) {
  let body = null;
  if (match.state === 'counted')
    body = (
      <p className="match-count muted">
        Matches {count(match.count)} of {count(match.rowCount)} rows
      </p>
    );
  else if (match.state === 'none')
    body = (
      <div className="match-warning" data-testid="zero-match-warning">
        <p>
          <strong>{match.warning}</strong>
        </p>
        <p>
          {confirming
            ? 'Press "Create anyway" to make an export with no rows, or change the conditions.'
            : 'The export would be empty. Change the conditions, or create it anyway.'}
        </p>
      </div>
    );
  else if (match.state === 'failed')
    body = <p className="match-count muted">Could not count the rows: {match.message}</p>;
  return (
    <div aria-live="polite" className="match-line">
      {body}
    </div>
  );
}
