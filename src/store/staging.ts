/**
 * Atomic, idempotent replacement of an input's parts in a dataset, also when the process is killed at any
 * point:
 *
 * 1. An ingest writes its parts into its own staging folder `DIR/.flowmine-staging/<owner>_<random>/`
 *    and fsyncs them. Nothing in the dataset changes; a kill leaves only that folder, which the next
 *    ingest removes once its owner is gone.
 * 2. It takes the dataset's commit lock (`DIR/.flowmine-staging/commit.lock`, created exclusively; a lock
 *    whose owner is gone is broken, and that owner's commit finished first), writes its commit journal
 *    (`commit.json`: every rename and every deletion) and fsyncs it.
 * 3. It renames each staged file over its place (Parquet first, then its report), deletes the input's
 *    parts in partitions it no longer has, fsyncs the folders, removes the journal, its staging folder
 *    and the lock.
 *
 * A part file is thus always whole (rename is atomic), and a commit cut short is rolled forward from its
 * journal by the next ingest into the same dataset, so an input's parts never stay a mix of two ingests.
 */
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { lazyModule } from '../core/lazy-module.js';
import { FlowmineError } from '../core/errors.js';
import { STAGING_DIR } from './layout.js';
import { currentOwner, isAlive, ownerName, parseOwnerName } from './process-owner.js';

const crypto = lazyModule<typeof import('node:crypto')>('node:crypto');

const LOCK = 'commit.lock';
const JOURNAL = 'commit.json';
/** A lock file with no readable owner (its writer was killed between creating and writing it) is stale after this long. */
const UNREADABLE_LOCK_MS = 10_000;
/** How long to wait for another process's commit. */
const LOCK_WAIT_MS = 10 * 60_000;

/** The renames and deletions of one commit, relative to the dataset folder. */
interface Journal {
  moves: { from: string; to: string }[];
  deletions: string[];
}

/** One ingest's staging folder inside a dataset. */
export class Staging {
  private constructor(
    readonly datasetDir: string,
    readonly dir: string,
  ) {}

  /** Creates a staging folder for this process, after removing those of processes that are gone. */
  static begin(datasetDir: string): Staging {
    const root = join(datasetDir, STAGING_DIR);
    mkdirSync(root, { recursive: true });
    withCommitLock(datasetDir, () => removeStaleStaging(datasetDir));
    const dir = join(root, `${ownerName(currentOwner())}_${crypto().randomBytes(4).toString('hex')}`);
    mkdirSync(dir);
    return new Staging(datasetDir, dir);
  }

  /** Path of a staged file. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /**
   * Puts the staged files in place: `moves` maps a staged file name to its path in the dataset. Files named
   * in `replaces` (dataset-relative; a function of what is on disk when the lock is held) are deleted
   * unless a move puts a new file there.
   */
  commit(moves: { from: string; to: string }[], replaces: () => string[]): void {
    for (const move of moves) fsyncFile(this.path(move.from));
    withCommitLock(this.datasetDir, () => {
      const targets = new Set(moves.map((move) => move.to));
      const journal: Journal = {
        moves: moves.map((move) => ({ from: relative(this.datasetDir, this.path(move.from)), to: move.to })),
        deletions: replaces().filter((path) => !targets.has(path)),
      };
      const journalPath = this.path(JOURNAL);
      writeFileSynced(`${journalPath}.tmp`, JSON.stringify(journal));
      renameSync(`${journalPath}.tmp`, journalPath);
      fsyncDir(this.dir);
      rollForward(this.datasetDir, journal);
      this.remove();
    });
  }

  /** Removes the staging folder and everything in it (journal first, so a half-removed folder is never rolled forward). */
  remove(): void {
    rmSync(this.path(JOURNAL), { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Writes a file and fsyncs it. */
export function writeFileSynced(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a file's contents to disk. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (renames, creations) to disk; a no-op where folders cannot be opened. */
function fsyncDir(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some platforms refuse fsync on a folder; their renames are then as durable as they can be.
  } finally {
    closeSync(fd);
  }
}

/** Applies a journal: each rename whose source is still staged, then each deletion. Safe to repeat. */
function rollForward(datasetDir: string, journal: Journal): void {
  const touched = new Set<string>();
  for (const move of journal.moves) {
    const from = join(datasetDir, move.from);
    const to = join(datasetDir, move.to);
    if (!existsSync(from)) continue;
    mkdirParents(datasetDir, dirname(to), touched);
    renameSync(from, to);
    touched.add(dirname(to));
  }
  for (const path of journal.deletions) {
    rmSync(join(datasetDir, path), { force: true });
    touched.add(dirname(join(datasetDir, path)));
  }
  for (const dir of touched) fsyncDir(dir);
  for (const path of journal.deletions) removeEmptyFolders(datasetDir, dirname(join(datasetDir, path)));
}

/** Creates a folder and its missing parents inside the dataset, remembering which folders changed. */
function mkdirParents(datasetDir: string, dir: string, touched: Set<string>): void {
  if (existsSync(dir)) return;
  mkdirParents(datasetDir, dirname(dir), touched);
  mkdirSync(dir);
  touched.add(dirname(dir));
}

/** Removes a partition folder left empty, and its parents up to the dataset folder. */
function removeEmptyFolders(datasetDir: string, dir: string): void {
  while (dir !== datasetDir && dir.startsWith(datasetDir + sep)) {
    try {
      if (readdirSync(dir).length > 0) return;
      rmdirSync(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

/** Removes the staging folders of processes that are gone (their commits, if any, were rolled forward with the lock). */
function removeStaleStaging(datasetDir: string): void {
  const root = join(datasetDir, STAGING_DIR);
  for (const name of readdirSync(root)) {
    if (name === LOCK || name.startsWith(`${LOCK}.`)) continue;
    const owner = parseOwnerName(name);
    if (owner && isAlive(owner)) continue;
    if (!owner && Date.now() - statSync(join(root, name)).mtimeMs < UNREADABLE_LOCK_MS) continue;
    rmSync(join(root, name, JOURNAL), { force: true });
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

/**
 * Runs `work` holding the dataset's commit lock. A lock left by a process that is gone is broken after
 * its journal, if any, has been rolled forward; a live one is waited for.
 */
function withCommitLock(datasetDir: string, work: () => void): void {
  const root = join(datasetDir, STAGING_DIR);
  const lock = join(root, LOCK);
  const started = Date.now();
  const me = ownerName(currentOwner());
  for (;;) {
    let fd: number | null = null;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (fd !== null) {
      try {
        writeSync(fd, me);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      break;
    }
    if (!breakStaleLock(datasetDir, lock)) {
      if (Date.now() - started > LOCK_WAIT_MS) throw new FlowmineError(`${datasetDir}: another ingest holds ${lock} for more than ${LOCK_WAIT_MS / 60_000} minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Breaks the lock if its owner is gone, after finishing that owner's commit. Returns true when it did. */
function breakStaleLock(datasetDir: string, lock: string): boolean {
  let holder: string;
  try {
    holder = readFileSync(lock, 'utf8');
  } catch {
    return true; // released meanwhile
  }
  const owner = parseOwnerName(holder);
  if (owner ? isAlive(owner) : Date.now() - safeMtime(lock) < UNREADABLE_LOCK_MS) return false;
  // Take the stale lock aside under a unique name, so only one process recovers it.
  const aside = `${lock}.${crypto().randomBytes(4).toString('hex')}`;
  try {
    renameSync(lock, aside);
  } catch {
    return true;
  }
  if (readFileSync(aside, 'utf8') !== holder) {
    // A live process took the lock in between: give it back unless yet another one holds it now.
    try {
      linkSync(aside, lock);
    } catch {
      // The lock is held again; that holder goes on.
    }
    rmSync(aside, { force: true });
    return false;
  }
  if (owner) {
    const root = dirname(lock);
    for (const name of readdirSync(root)) {
      if (!name.startsWith(`${holder}_`)) continue;
      const journalPath = join(root, name, JOURNAL);
      if (existsSync(journalPath)) rollForward(datasetDir, JSON.parse(readFileSync(journalPath, 'utf8')) as Journal);
      rmSync(journalPath, { force: true });
      rmSync(join(root, name), { recursive: true, force: true });
    }
  }
  rmSync(aside, { force: true });
  return true;
}

function safeMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
