/** What the name of a LEAN AlgoSeek tick file tells, and the companion file beside it. */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Which of the two tick files a path is. */
export type TickKind = 'trade' | 'quote';

// `lean-algoseek_IBM_2013-10-07_trade_tick.csv` (fixture names) and LEAN's own `20131007_ibm_Trade_Tick.csv`.
const DASHED_NAME = /(?:^|_)([A-Za-z][A-Za-z0-9.]*)_(\d{4}-\d{2}-\d{2})_/;
const LEAN_NAME = /^(\d{4})(\d{2})(\d{2})_([A-Za-z][A-Za-z0-9.]*)_/;
const KIND_WORD = /(^|_)(trade|quote)(?=_tick|\.|$)/i;

/** What a tick file's name tells: trade or quote file, symbol and date (null where it does not say). */
export function parseAlgoseekName(path: string): { kind: TickKind | null; symbol: string | null; date: string | null } {
  const name = basename(path);
  const kind = KIND_WORD.exec(name)?.[2]?.toLowerCase() as TickKind | undefined;
  const dashed = DASHED_NAME.exec(name);
  if (dashed) return { kind: kind ?? null, symbol: dashed[1]!.toUpperCase(), date: dashed[2]! };
  const lean = LEAN_NAME.exec(name);
  if (lean) return { kind: kind ?? null, symbol: lean[4]!.toUpperCase(), date: `${lean[1]}-${lean[2]}-${lean[3]}` };
  return { kind: kind ?? null, symbol: null, date: null };
}

/** The other file of the pair beside `path` (trade ↔ quote, in the name's own letter case), if it exists. */
export function algoseekCompanion(path: string): string | null {
  const name = basename(path);
  if (!KIND_WORD.test(name)) return null;
  const other = name.replace(KIND_WORD, (_match, before: string, word: string) => before + swapKind(word));
  const candidate = join(dirname(path), other);
  return existsSync(candidate) ? candidate : null;
}

function swapKind(word: string): string {
  const swapped = word.toLowerCase() === 'trade' ? 'quote' : 'trade';
  if (word === word.toUpperCase()) return swapped.toUpperCase();
  return word[0] === word[0]!.toUpperCase() ? swapped[0]!.toUpperCase() + swapped.slice(1) : swapped;
}
