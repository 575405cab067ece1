// What a local export's worker is doing: a kind for machines (messages, decisions), words for people.
export type WorkerStage = 'counting' | 'writing' | 'finishing';

/** The stage as the export's `progress_stage` shows it. */
export const workerStageWords: Readonly<Record<WorkerStage, string>> = {
  counting: 'counting rows',
  writing: 'writing rows',
  finishing: 'finishing',
};
