/** What the engine reports while it runs; loggers in cli/ render these. The core never prints. */
export type RunEvent =
  | { readonly type: 'run-start'; readonly run: number; readonly steps: number; readonly store: string }
  | { readonly type: 'env-build'; readonly env: string }
  | { readonly type: 'step-start'; readonly step: string; readonly block: string; readonly jobs: number; readonly cached: number }
  | { readonly type: 'job-start'; readonly job: string; readonly step: string; readonly block: string }
  | { readonly type: 'job-cached'; readonly job: string; readonly step: string; readonly block: string }
  | { readonly type: 'job-done'; readonly job: string; readonly step: string; readonly block: string; readonly seconds: number }
  | {
      readonly type: 'job-failed';
      readonly job: string;
      readonly step: string;
      readonly block: string;
      readonly where: string;
      readonly message: string;
      readonly log: string | null;
      readonly tail: string;
    }
  | { readonly type: 'job-skipped'; readonly job: string; readonly step: string; readonly reason: string }
  | { readonly type: 'step-failed'; readonly step: string; readonly where: string; readonly message: string }
  | { readonly type: 'progress'; readonly job: string; readonly done: number; readonly total: number | null }
  | { readonly type: 'published'; readonly path: string; readonly to: string }
  | { readonly type: 'run-end'; readonly summary: RunSummary };

export interface RunSummary {
  readonly run: number;
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly executed: number;
  readonly cached: number;
  readonly failed: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly failures: readonly { readonly job: string; readonly where: string; readonly log: string | null }[];
}
