// The questions the new-export form asks the dataset while the user types: the values a column
// holds (for suggestions) and how many rows the filter matches (with, at zero, the likely reason).
// Each waits for typing to pause, and a newer question cancels the one still in flight. Their
// failures only hide the answer: they never stand between the user and "Create export".
import { useEffect, useState } from 'react';
import type { ColumnValue, Dataset } from '../../../../shared/schemas/datasets.ts';
import { api } from '../../api.ts';
import { checkDatasetDraft, datasetRequest, type DatasetDraft } from '../../export-draft.ts';
import { hasErrors } from '../../form-errors.ts';
import type { Condition } from '../../form-logic.ts';
import {
  askedValues,
  nearbyPrefix,
  suspectConditions,
  zeroMatchWords,
} from '../../value-suggestions.ts';

export const SUGGESTION_LIMIT = 8;
const SUGGEST_DELAY_MS = 200;
const COUNT_DELAY_MS = 400;

export interface Suggestions {
  readonly values: readonly ColumnValue[];
  readonly more: boolean;
}

/** Distinct values of `column` starting with `prefix`, asked once typing pauses; null while off. */
export function useColumnValues(
  dataset: string,
  column: string,
  prefix: string,
  enabled: boolean,
): Suggestions | null {
  const [found, setFound] = useState<{ key: string; answer: Suggestions } | null>(null);
  const key = JSON.stringify([dataset, column, prefix]);
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api
        .columnValues(dataset, column, prefix, SUGGESTION_LIMIT, abort.signal)
        .then((r) => setFound({ key, answer: { values: r.values, more: r.more } }))
        .catch(() => {
          if (!abort.signal.aborted) setFound({ key, answer: { values: [], more: false } });
        });
    }, SUGGEST_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [dataset, column, prefix, enabled, key]);
  return enabled && found?.key === key ? found.answer : null;
}

export type MatchCount =
  | { readonly state: 'waiting' }
  | { readonly state: 'counted'; readonly count: number; readonly rowCount: number }
  | { readonly state: 'none'; readonly rowCount: number; readonly warning: string }
  | { readonly state: 'failed'; readonly message: string };

const NO_OUTPUT = { name: '', dir: '', decompress: true } as const;

/** The rows the draft's filter matches, counted once typing pauses. */
export function useMatchCount(draft: DatasetDraft, dataset: Dataset | undefined): MatchCount {
  const [answer, setAnswer] = useState<{ key: string; count: MatchCount } | null>(null);
  const incomplete = !dataset || hasErrors(checkDatasetDraft(draft, dataset, NO_OUTPUT));
  const filter = dataset && !incomplete ? datasetRequest(draft, dataset, NO_OUTPUT).filter : null;
  const key = JSON.stringify([dataset?.name, filter ?? null]);
  useEffect(() => {
    if (!dataset || incomplete) return;
    const abort = new AbortController();
    const name = dataset.name;
    const timer = setTimeout(() => {
      void (async () => {
        try {
          const r = await api.countRows(name, filter, abort.signal);
          if (r.count > 0 || r.row_count === 0) {
            setAnswer({ key, count: { state: 'counted', count: r.count, rowCount: r.row_count } });
            return;
          }
          const warning = await explainZero(name, draft.conditions, abort.signal);
          setAnswer({ key, count: { state: 'none', rowCount: r.row_count, warning } });
        } catch (err) {
          if (abort.signal.aborted) return;
          const message = err instanceof Error ? err.message : String(err);
          setAnswer({ key, count: { state: 'failed', message } });
        }
      })();
    }, COUNT_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // The key stands for the dataset and the filter; the conditions are read only when it changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, incomplete]);
  if (incomplete || answer?.key !== key) return { state: 'waiting' };
  return answer.count;
}

/** Whether the column holds what a condition asks for, among values found with its text. */
function holds(c: Condition, asked: string, values: readonly ColumnValue[]): boolean {
  if (c.op !== 'starts_with' && typeof values[0]?.value === 'number')
    return values.some((v) => v.value === Number(asked));
  const texts = values.map((v) => String(v.value));
  return c.op === 'starts_with' ? texts.some((t) => t.startsWith(asked)) : texts.includes(asked);
}

/** Finds the condition asking for values the column does not hold, and values it does hold. */
async function explainZero(
  dataset: string,
  conditions: readonly Condition[],
  signal: AbortSignal,
): Promise<string> {
  for (const c of suspectConditions(conditions)) {
    for (const asked of askedValues(c)) {
      const same = await api.columnValues(dataset, c.column, asked, 100, signal);
      if (holds(c, asked, same.values)) continue;
      let near = await api.columnValues(dataset, c.column, nearbyPrefix(asked), 5, signal);
      if (near.values.length === 0) near = await api.columnValues(dataset, c.column, '', 5, signal);
      const culprit = { ...c, value: asked };
      return zeroMatchWords(
        culprit,
        near.values.map((v) => String(v.value)),
      );
    }
  }
  return zeroMatchWords(null, []);
}
