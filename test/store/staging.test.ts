import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { STAGING_DIR } from '../../src/store/layout.js';
import { currentOwner, isAlive, ownerName } from '../../src/store/process-owner.js';
import { Staging } from '../../src/store/staging.js';
import { tempDir } from '../support/temp.js';

const PART = 'part-aaaaaaaaaaaa.parquet';
const dayOne = 'venue=x/symbol=y/date=2024-01-01';
const dayTwo = 'venue=x/symbol=y/date=2024-01-02';

function dataset(): string {
  const dir = tempDir('flowmine-staging-');
  mkdirSync(join(dir, dayOne), { recursive: true });
  mkdirSync(join(dir, dayTwo), { recursive: true });
  writeFileSync(join(dir, dayOne, PART), 'old one');
  writeFileSync(join(dir, dayTwo, PART), 'old two');
  mkdirSync(join(dir, STAGING_DIR));
  return dir;
}

test('this process is alive; the same pid with another start time, or a pid nobody has, is gone', () => {
  const me = currentOwner();
  assert.equal(isAlive(me), true);
  assert.equal(isAlive({ ...me, start: me.start + 1 }), false);
  assert.equal(isAlive({ ...me, pid: 2 ** 22 + 12345 }), false);
  assert.equal(isAlive({ host: 'some-other-host', pid: 1, start: 1 }), true, 'another host cannot be checked: taken as alive');
});

test('a commit cut short by a kill is rolled forward from its journal by the next ingest; dead staging is removed', () => {
  const dir = dataset();
  const dead = ownerName({ ...currentOwner(), start: currentOwner().start + 1 });
  const foreign = ownerName({ host: 'some-other-host', pid: 1, start: 1 });
  // The dead process had staged two files, journaled the commit and renamed nothing yet.
  const committing = join(dir, STAGING_DIR, `${dead}_00000001`);
  mkdirSync(committing);
  writeFileSync(join(committing, '0.parquet'), 'new one');
  writeFileSync(join(committing, '0.integrity.json'), '{"new":1}');
  writeFileSync(
    join(committing, 'commit.json'),
    JSON.stringify({
      moves: [
        { from: `${STAGING_DIR}/${dead}_00000001/0.parquet`, to: `${dayOne}/${PART}` },
        { from: `${STAGING_DIR}/${dead}_00000001/0.integrity.json`, to: `${dayOne}/part-aaaaaaaaaaaa.integrity.json` },
      ],
      deletions: [`${dayTwo}/${PART}`],
    }),
  );
  writeFileSync(join(dir, STAGING_DIR, 'commit.lock'), dead);
  // Another process of the same dead owner never got to commit; one on another host may still be at work.
  mkdirSync(join(dir, STAGING_DIR, `${dead}_00000002`));
  writeFileSync(join(dir, STAGING_DIR, `${dead}_00000002`, '0.staging.parquet'), 'half');
  mkdirSync(join(dir, STAGING_DIR, `${foreign}_00000003`));

  const staging = Staging.begin(dir);
  assert.equal(readFileSync(join(dir, dayOne, PART), 'utf8'), 'new one');
  assert.equal(readFileSync(join(dir, dayOne, 'part-aaaaaaaaaaaa.integrity.json'), 'utf8'), '{"new":1}');
  assert.equal(existsSync(join(dir, dayTwo)), false, 'the deleted part and its emptied partition are gone');
  const left = readdirSync(join(dir, STAGING_DIR)).sort();
  assert.deepEqual(left, [`${foreign}_00000003`, staging.dir.split('/').pop()!].sort());

  // Rolling forward again changes nothing (the journal is gone with the folder).
  staging.remove();
  Staging.begin(dir).remove();
  assert.equal(readFileSync(join(dir, dayOne, PART), 'utf8'), 'new one');
});

test('a commit renames staged files over their places and deletes what it replaces elsewhere', () => {
  const dir = dataset();
  const staging = Staging.begin(dir);
  writeFileSync(staging.path('0.parquet'), 'fresh');
  const dayThree = 'venue=x/symbol=y/date=2024-01-03';
  staging.commit([{ from: '0.parquet', to: `${dayThree}/${PART}` }], () => [`${dayOne}/${PART}`, `${dayTwo}/${PART}`]);
  assert.equal(readFileSync(join(dir, dayThree, PART), 'utf8'), 'fresh');
  assert.equal(existsSync(join(dir, dayOne)), false);
  assert.equal(existsSync(join(dir, dayTwo)), false);
  assert.deepEqual(readdirSync(join(dir, STAGING_DIR)), [], 'no staging, journal or lock is left');
});
