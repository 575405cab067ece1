// Builds native/build/csv-rows.node (the export worker's CSV reader, csv-rows.c, and the import's
// CSV scanner, csv-scan.c) and
// native/build/import-rows.so (the import's SQLite extension, import-rows.c) with the C compiler
// when there is one: `node native/build.mjs [--quiet] [--require]`.
//
// Installing never compiles (`npm ci` works without a compiler); `npm start`, `npm run build`,
// `npm run dist`, the tests and the bench call this first. Without a compiler (or on Windows, not
// done yet) nothing is built and exports use the JavaScript encoder: same bytes, more CPU. It
// builds once per change of its sources: SQLite (the amalgamation better-sqlite3 ships, so both
// read the dataset files with the same SQLite) takes about 35 s, csv-rows.c under a second.
// --require: exit 1 when it cannot be built (the packaging test uses it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = import.meta.dirname;
const out = join(here, 'build');
const target = join(out, 'csv-rows.node');
const quiet = process.argv.includes('--quiet');
const required = process.argv.includes('--require');

/**
 * --quiet keeps "up to date" and "built" to itself; why it did not build, or a long step, it says
 * on stderr (npm start shows the build's stderr only).
 */
function say(line, always = false) {
  if (always) console.error(`csv-rows: ${line}`);
  else if (!quiet) console.log(`csv-rows: ${line}`);
}

function give(reason) {
  say(`not built (${reason}); exports use the JavaScript encoder.`, true);
  process.exit(required ? 1 : 0);
}

const require = createRequire(import.meta.url);
let sqliteDir;
try {
  sqliteDir = join(dirname(require.resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
} catch {
  give('better-sqlite3 is not installed');
}
const sqliteC = join(sqliteDir, 'sqlite3.c');
if (!existsSync(sqliteC)) give(`no SQLite source at ${sqliteC}`);

// node_api.h: from the Node that runs this, a configured nodedir, or the system's.
const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].find((d) => d && existsSync(join(d, 'node_api.h')));
if (!headers) give('no Node-API headers (node_api.h) found');

const platformFlags = {
  // Unused SQLite code dropped and symbols stripped: about 1.0 MB instead of 1.2.
  linux: ['-shared', '-fPIC', '-s', '-Wl,--gc-sections'],
  darwin: ['-bundle', '-undefined', 'dynamic_lookup'],
  freebsd: ['-shared', '-fPIC'],
}[process.platform];
if (!platformFlags) give(`no build for ${process.platform} yet`);

const cc = process.env.CC || 'cc';
const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) give(`no C compiler (${cc})`);

const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : -1);
const sources = [
  join(here, 'csv-rows.c'),
  join(here, 'csv-scan.c'),
  sqliteC,
  join(sqliteDir, 'sqlite3.h'),
  import.meta.filename,
];
const extension = join(out, 'import-rows.so');
const extensionSources = [join(here, 'import-rows.c'), join(sqliteDir, 'sqlite3ext.h')];
if (
  mtime(target) > Math.max(...sources.map(mtime)) &&
  mtime(extension) > Math.max(...extensionSources.map(mtime), mtime(import.meta.filename))
) {
  say('up to date');
  process.exit(0);
}
mkdirSync(out, { recursive: true });

function compile(args, what) {
  const r = spawnSync(cc, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    console.error((r.stderr || String(r.error)).slice(-4000));
    rmSync(args[args.indexOf('-o') + 1], { force: true });
    give(`compiling ${what} failed`);
  }
}

// SQLite as better-sqlite3 builds it where it matters for reading: threads allowed (each export
// thread has its own connection), no extension loading.
const sqliteObj = join(out, 'sqlite3.o');
if (mtime(sqliteObj) < Math.max(mtime(sqliteC), mtime(import.meta.filename))) {
  say('compiling SQLite for the native CSV reader (about 35 s, once)', true);
  const tmp = `${sqliteObj}.${process.pid}.tmp`;
  compile(
    [
      '-O2',
      '-fPIC',
      '-fvisibility=hidden',
      '-ffunction-sections',
      '-fdata-sections',
      '-DSQLITE_THREADSAFE=2',
      '-DSQLITE_DEFAULT_MEMSTATUS=0',
      '-DSQLITE_OMIT_LOAD_EXTENSION',
      '-DSQLITE_OMIT_DEPRECATED',
      '-DSQLITE_OMIT_SHARED_CACHE',
      '-DSQLITE_DQS=0',
      '-DSQLITE_ENABLE_MATH_FUNCTIONS',
      '-DSQLITE_LIKE_DOESNT_MATCH_BLOBS',
      '-c',
      sqliteC,
      '-o',
      tmp,
    ],
    'SQLite',
  );
  renameSync(tmp, sqliteObj);
}

const tmp = `${target}.${process.pid}.tmp`;
compile(
  [
    '-O2',
    '-Wall',
    '-fvisibility=hidden',
    ...platformFlags,
    `-I${headers}`,
    `-I${sqliteDir}`,
    join(here, 'csv-rows.c'),
    join(here, 'csv-scan.c'),
    sqliteObj,
    '-o',
    tmp,
    '-lm',
  ],
  'csv-rows.c',
);
renameSync(tmp, target); // atomic: a test or build loading it meanwhile sees the old or the new

// The import's SQLite extension (import-rows.c), loaded into better-sqlite3's own connection:
// it calls SQLite through the extension API, so it carries no SQLite of its own (a few KB).
const extensionTmp = `${extension}.${process.pid}.tmp`;
compile(
  [
    '-O2',
    '-Wall',
    '-fvisibility=hidden',
    ...(process.platform === 'darwin' ? ['-dynamiclib'] : platformFlags),
    `-I${sqliteDir}`,
    join(here, 'import-rows.c'),
    '-o',
    extensionTmp,
  ],
  'import-rows.c',
);
renameSync(extensionTmp, extension);
say(`built ${target} and ${extension}`);
