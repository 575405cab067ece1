// One provider export's dance: create or resume, poll, download every file, verify, refresh, re-create.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from '../context.ts';
import { fetchVendorFile } from './vendor-files/fetch-file.ts';
import { nameFromUrl, sanitizeFilename, uniqueName } from './vendor-files/filenames.ts';
import {
  clockTime,
  JobError,
  type JobFile,
  type JobHooks,
  type JobSpec,
} from '../jobs/job-types.ts';
import { slugify } from '../storage/files.ts';
import { deadlineError, PhaseDeadlines } from './deadlines.ts';
import { span, type RetryNotice } from './http-client.ts';
import { LinkRefresher, type Note } from './link-refresh.ts';
import { sleep } from './politeness.ts';
import { capText, VENDOR_EXCERPT } from '../text-cap.ts';
import type { ProviderHandle } from './providers-service.ts';
import type { ProvidersRepo } from './providers-repo.ts';
import type { RemoteExport } from './remote-export.ts';
import type { RemoteRunnerSettings } from './remote-settings.ts';
import { expiredText, gaveUp, recreateBackoffMs } from './recreate-policy.ts';
import { formatSpeed, placeVendorFile } from './vendor-files/vendor-file.ts';

/** The vendor export went away (or its links can no longer be refreshed): re-create it. */
class ExpiredSignal {
  readonly remote: RemoteExport;
  constructor(remote: RemoteExport) {
    this.remote = remote;
  }
}

// Share of our progress bar: the vendor's work up to REMOTE_SHARE, then our download.
const REMOTE_SHARE = 50;
const DOWNLOAD_SHARE = 48;

export class RemoteJob {
  private readonly ctx: EngineContext;
  private readonly provider: ProviderHandle;
  private readonly repo: ProvidersRepo;
  private readonly spec: JobSpec;
  private readonly hooks: JobHooks;
  private readonly settings: RemoteRunnerSettings;
  private readonly origin: string;
  /** Names this attempt wrote in the export folder (parts and verified files). */
  private written: string[] = [];
  /** Decompressed copies made in the destination folder; removed if the job does not complete. */
  private plainCopies: string[] = [];
  /** The vendor status last stored, so each change is recorded once. */
  private lastRaw: string | null = null;
  /** Overall deadlines of create, wait and download. */
  private readonly phases: PhaseDeadlines;

  constructor(
    ctx: EngineContext,
    provider: ProviderHandle,
    repo: ProvidersRepo,
    spec: JobSpec,
    hooks: JobHooks,
    settings: RemoteRunnerSettings,
  ) {
    this.ctx = ctx;
    this.provider = provider;
    this.repo = repo;
    this.spec = spec;
    this.hooks = hooks;
    this.settings = settings;
    this.origin = new URL(provider.baseUrl).origin;
    this.phases = new PhaseDeadlines(ctx.clock, hooks.signal, settings, (phase, ms) =>
      deadlineError(provider.name, phase, ms, { vendor_status: this.lastRaw }),
    );
  }

  /** A line in the export's timeline (what happened, in words, with times). */
  private readonly note: Note = (kind, text) => this.hooks.note?.(kind, text);

  private get signal(): AbortSignal {
    return this.phases.signal ?? this.hooks.signal;
  }

  async run(): Promise<JobFile[]> {
    // A vendor that does not answer is retried for minutes: the export says so while it waits.
    const retried = (n: RetryNotice) =>
      this.hooks.progress({
        stage: `${n.reason} Trying again in ${span(n.waitMs)} (retry ${n.retry} of ${n.maxRetries}).`,
      });
    const unwatch = this.provider.http.watchRetries(this.signal, retried);
    this.phases.onSignal = (signal) => this.provider.http.watchRetries(signal, retried);
    try {
      return await this.createWaitDownload();
    } catch (err) {
      for (const path of this.plainCopies) rmSync(path, { force: true });
      throw err;
    } finally {
      unwatch();
    }
  }

  /** Create (or resume), wait for the vendor, download; an export the vendor expired is re-created. */
  private async createWaitDownload(): Promise<JobFile[]> {
    let remote = await this.phases.run('create', () => this.start());
    for (;;) {
      const started = remote;
      remote = await this.phases.run('wait', () => this.waitDone(started));
      const done = remote;
      if (remote.status === 'failed') throw this.failed(remote);
      if (remote.status === 'expired') {
        remote = await this.phases.run('create', () => this.recreate(done));
        continue;
      }
      const result = await this.phases.run('download', () => this.downloadAll(done));
      if (!(result instanceof ExpiredSignal)) return result;
      remote = await this.phases.run('create', () => this.recreate(result.remote));
    }
  }

  /** Resumes the vendor export an earlier attempt created, or creates it (once). */
  private async start(): Promise<RemoteExport> {
    const latest = this.repo.latestRemote(this.spec.exportId);
    const knownId = latest?.remote_id ?? this.spec.remoteId;
    if (knownId) {
      this.hooks.progress({ stage: `checking export ${knownId} at ${this.provider.name}` });
      return this.provider.adapter.get(knownId, this.signal);
    }
    if (latest) {
      // A create was sent before a crash, and its answer lost: the same key gets the same export.
      return this.sendCreate(
        latest.seq,
        latest.idempotency_key,
        JSON.parse(latest.request_json) as Record<string, unknown>,
      );
    }
    return this.create(this.spec.exportId, null);
  }

  private async create(key: string, recreatedFrom: string | null): Promise<RemoteExport> {
    const params = this.spec.params ?? {};
    const now = this.ctx.clock.now();
    const intent = this.repo.addIntent({
      export_id: this.spec.exportId,
      provider_id: this.provider.id,
      idempotency_key: key,
      request_json: JSON.stringify(params),
      remote_id: null,
      remote_status: null,
      recreated_from: recreatedFrom,
      created_at: now,
      updated_at: now,
    });
    this.hooks.recordRemote(null, 'creating');
    return this.sendCreate(intent.seq, key, params);
  }

  private async sendCreate(
    seq: number,
    key: string,
    params: Record<string, unknown>,
  ): Promise<RemoteExport> {
    this.hooks.progress({ pct: 0, stage: `asking ${this.provider.name} for the export` });
    const remote = await this.provider.adapter.create(params, key, this.signal);
    this.repo.setRemote(this.spec.exportId, seq, remote.id, remote.rawStatus, this.ctx.clock.now());
    this.hooks.recordRemote(remote.id, remote.rawStatus);
    this.lastRaw = remote.rawStatus;
    this.ctx.logger.info('vendor export created', {
      export_id: this.spec.exportId,
      provider: this.provider.id,
      remote_id: remote.id,
      attempt: seq,
    });
    return remote;
  }

  /** Re-creates an expired vendor export from the stored request; bounded, with backoff, never a loop. */
  private async recreate(expired: RemoteExport): Promise<RemoteExport> {
    const latest = this.repo.latestRemote(this.spec.exportId);
    const made = latest?.seq ?? 1;
    const now = this.ctx.clock.now();
    const vendor = this.provider.name;
    if (made - 1 >= this.settings.maxRecreates) {
      this.note(
        'gave_up',
        `${expiredText(vendor, expired, now)} It was already re-created ${made - 1} time(s); gave up at ${clockTime(now)}.`,
      );
      throw gaveUp(vendor, expired, made - 1);
    }
    const wait = recreateBackoffMs(made, this.settings.recreateBackoffMs);
    this.note(
      'vendor_expired',
      `${expiredText(vendor, expired, now)} Re-creating it in ${span(wait)} (re-creation ${made} of ${this.settings.maxRecreates}).`,
    );
    this.ctx.logger.info('vendor export expired; re-creating it', {
      export_id: this.spec.exportId,
      remote_id: expired.id,
      wait_ms: wait,
    });
    this.hooks.progress({
      stage: `${vendor} expired the export; re-creating it in ${span(wait)}`,
    });
    await sleep(this.ctx.clock, wait, this.signal);
    this.clearFiles();
    const again = await this.create(`${this.spec.exportId}:${made + 1}`, expired.id);
    this.repo.setRecreatedAs(this.spec.exportId, expired.id, again.id);
    this.note(
      'recreated',
      `The vendor expired this export; re-created as ${again.id} at ${clockTime(this.ctx.clock.now())}.`,
    );
    return again;
  }

  /** Shows the vendor's status and progress on our export. */
  private showVendorProgress(remote: RemoteExport): void {
    // Progress is throttled by the runner; a change of the vendor's status is stored at once.
    if (remote.rawStatus !== this.lastRaw) {
      this.lastRaw = remote.rawStatus;
      this.hooks.recordRemote(remote.id, remote.rawStatus);
    }
    const pct = remote.status === 'completed' ? 100 : (remote.progressPct ?? 0);
    this.hooks.progress({
      pct: (pct * REMOTE_SHARE) / 100,
      stage:
        remote.status === 'completed'
          ? `ready at ${this.provider.name}`
          : (remote.stage ?? `${remote.rawStatus ?? remote.status} at ${this.provider.name}`),
      remoteId: remote.id,
      remoteStatus: remote.rawStatus,
    });
  }

  /** Polls with growing, jittered waits until the vendor export is no longer pending or processing. */
  private async waitDone(first: RemoteExport): Promise<RemoteExport> {
    let remote = first;
    let delay = this.settings.pollMinMs;
    const started = this.ctx.clock.now();
    while (remote.status === 'pending' || remote.status === 'processing') {
      this.showVendorProgress(remote);
      if (this.ctx.clock.now() - started > this.settings.maxWaitMs)
        throw deadlineError(this.provider.name, 'wait', this.settings.maxWaitMs, {
          remote_id: remote.id,
          vendor_status: remote.rawStatus,
        });
      await sleep(this.ctx.clock, Math.round(delay * (0.75 + Math.random() * 0.5)), this.signal);
      delay = Math.min(this.settings.pollMaxMs, delay * 1.5);
      remote = await this.provider.adapter.get(remote.id, this.signal);
    }
    this.showVendorProgress(remote);
    return remote;
  }

  private failed(remote: RemoteExport): JobError {
    const e = remote.error;
    return new JobError(
      'PROVIDER_EXPORT_FAILED',
      `${this.provider.name} could not produce the export${e?.message ? `: ${capText(e.message, VENDOR_EXCERPT)}` : '.'}`,
      { vendor_code: e?.code ?? null, vendor_message: e?.message ?? null, remote_id: remote.id },
    );
  }

  private clearFiles(): void {
    for (const name of this.written) rmSync(join(this.hooks.exportDir, name), { force: true });
    this.written = [];
    for (const path of this.plainCopies) rmSync(path, { force: true });
    this.plainCopies = [];
  }

  /** Downloads and verifies every file; a link that expired is refreshed by reading the export again. */
  private async downloadAll(first: RemoteExport): Promise<JobFile[] | ExpiredSignal> {
    let remote = first;
    const count = remote.files.length;
    const taken = new Set<string>();
    const done: JobFile[] = [];
    const sizes = remote.files.map((f) => f.size);
    const bytesTotal = sizes.every((s) => s !== null)
      ? sizes.reduce<number>((a, b) => a + (b ?? 0), 0)
      : null;
    let bytesBefore = 0;

    const links = new LinkRefresher(
      {
        clock: this.ctx.clock,
        vendor: this.provider.name,
        note: this.note,
        marginMs: this.settings.linkMarginMs,
        maxRefreshes: this.settings.maxLinkRefreshes,
        read: async () => {
          this.hooks.progress({ stage: `asking ${this.provider.name} for a new download link` });
          let fresh = await this.provider.adapter.get(remote.id, this.signal);
          if (fresh.status === 'pending' || fresh.status === 'processing')
            fresh = await this.waitDone(fresh);
          if (fresh.status === 'failed') throw this.failed(fresh);
          if (fresh.status !== 'expired' && fresh.files.length !== count)
            throw new JobError(
              'PROVIDER_ERROR',
              `${this.provider.name} changed the export's file list.`,
            );
          return fresh;
        },
      },
      remote,
    );

    for (let i = 0; i < count; i++) {
      const name = uniqueName(
        sanitizeFilename(
          remote.files[i]!.filename ?? nameFromUrl(remote.files[i]!.url),
          `${slugify(this.spec.name)}${count > 1 ? `-${i + 1}` : ''}.csv.gz`,
        ),
        taken,
      );
      const part = join(this.hooks.exportDir, `${name}.part`);
      this.written.push(`${name}.part`);
      let lastSample = { at: this.ctx.clock.now(), bytes: 0 };
      let speed = 0;
      const fetched = await fetchVendorFile({
        index: i,
        part,
        remote,
        links,
        http: this.provider.http,
        providerOrigin: this.origin,
        clock: this.ctx.clock,
        logger: this.ctx.logger,
        signal: this.signal,
        download: this.settings.download,
        notReadyWaitMs: this.settings.pollMinMs,
        onBytes: (bytes) => {
          const now = this.ctx.clock.now();
          if (now - lastSample.at >= 1000) {
            speed = ((bytes - lastSample.bytes) * 1000) / (now - lastSample.at);
            lastSample = { at: now, bytes };
          }
          const doneBytes = bytesBefore + bytes;
          this.hooks.progress({
            pct: REMOTE_SHARE + (bytesTotal ? (DOWNLOAD_SHARE * doneBytes) / bytesTotal : 0),
            stage: `downloading file ${i + 1} of ${count}${speed > 0 ? ` (${formatSpeed(speed)})` : ''}`,
            bytesDone: doneBytes,
            bytesTotal,
          });
        },
      });
      if (fetched.kind === 'expired') return new ExpiredSignal(fetched.remote);
      remote = fetched.remote;
      done.push(await this.finishFile(part, name, remote, i, taken));
      bytesBefore += done[done.length - 1]!.byteSize;
    }
    const rows = done.reduce((n, f) => n + (f.rowCount ?? 0), 0);
    if (remote.rowCount !== null && rows !== remote.rowCount)
      throw new JobError(
        'CHECKSUM_MISMATCH',
        `The files hold ${rows} rows, but ${this.provider.name} announced ${remote.rowCount}.`,
        { expected_rows: remote.rowCount, actual_rows: rows, remote_id: remote.id },
      );
    this.hooks.progress({ pct: REMOTE_SHARE + DOWNLOAD_SHARE, stage: 'verified' });
    return done;
  }

  /** Verifies the part and moves it to its final name in the export folder. */
  private async finishFile(
    part: string,
    name: string,
    remote: RemoteExport,
    index: number,
    taken: Set<string>,
  ): Promise<JobFile> {
    this.hooks.progress({ stage: `verifying file ${index + 1} of ${remote.files.length}` });
    const done = await placeVendorFile({
      part,
      name,
      file: remote.files[index]!,
      taken,
      exportDir: this.hooks.exportDir,
      exportId: this.spec.exportId,
      format: this.spec.format,
      plainCopyDir: this.spec.plainCopyDir ?? null,
      verify: this.settings.verify,
      signal: this.signal,
      logger: this.ctx.logger,
    });
    if (done.plainCopy) this.plainCopies.push(done.plainCopy);
    this.written = this.written.filter((n) => n !== `${name}.part`).concat(done.filename);
    return done;
  }
}
