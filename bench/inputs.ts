import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds a long LOBSTER input from the AMZN level-1 sample: `copies` back-to-back copies of the day,
 * each shifted 6.5 hours later with order ids shifted by 10^9 per copy (so no id repeats), and the
 * orderbook file repeated alongside. Returns the message file path (the orderbook sits beside it).
 */
export function concatenatedLobster(dataDir: string, outDir: string, copies: number): string {
  mkdirSync(outDir, { recursive: true });
  const name = `AMZN_2012-06-21_34200000_57600000_message_1.csv`;
  const dir = join(outDir, `amzn-x${copies}`);
  const messagePath = join(dir, name);
  if (existsSync(messagePath)) return messagePath;
  mkdirSync(dir, { recursive: true });
  const messages = readFileSync(join(dataDir, 'lobster_AMZN_2012-06-21_34200000_57600000_message_1.csv'), 'utf8').trimEnd().split('\n');
  const orderbook = readFileSync(join(dataDir, 'lobster_AMZN_2012-06-21_34200000_57600000_orderbook_1.csv'));
  const messageOut = openSync(messagePath, 'w');
  const orderbookOut = openSync(join(dir, name.replace('_message_', '_orderbook_')), 'w');
  for (let copy = 0; copy < copies; copy++) {
    const shiftSeconds = copy * 23_400;
    const shiftId = copy * 1_000_000_000;
    const text = messages
      .map((line) => {
        const fields = line.split(',');
        const [seconds, fraction] = fields[0]!.split('.');
        fields[0] = `${Number(seconds) + shiftSeconds}.${fraction}`;
        if (fields[2] !== '0') fields[2] = String(Number(fields[2]) + shiftId);
        return fields.join(',');
      })
      .join('\n');
    writeSync(messageOut, text + '\n');
    writeSync(orderbookOut, orderbook);
  }
  // On disk before any run is timed: otherwise the kernel writes the files back (700 MB for ×180) while
  // the first runs on them are timed.
  for (const fd of [messageOut, orderbookOut]) {
    fsyncSync(fd);
    closeSync(fd);
  }
  return messagePath;
}
