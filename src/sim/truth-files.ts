import { writeFileSync } from 'node:fs';
import type { Episode } from '../core/episode.js';
import type { Instrument } from '../core/instrument.js';
import type { SimulationTruth } from './simulation.js';

/** Header of the episodes truth file (the detect output's columns, `kind` for `detector`, the actor for the score). */
export const EPISODE_COLUMNS = 'kind,start_ns,end_ns,side,price,order_ids,actor,explanation';
/** Header of the orders truth file. */
export const ORDER_COLUMNS = 'order_id,agent,kind,owner';

/**
 * Writes the ground truth of a run: `truth_orders.csv` (every order id with the account that placed it,
 * the account's kind and owner) and `truth_episodes.csv` (one row per labelled episode: times as epoch
 * ns, side 1/-1/0, price in real units (empty when no one price characterises it), order ids
 * space-separated, the acting owner, and the explanation). Returns the two paths.
 */
export function writeTruth(dir: string, truth: SimulationTruth, instrument: Instrument, timeBaseNs: bigint): { orders: string; episodes: string } {
  const orders = `${dir}/truth_orders.csv`;
  const episodes = `${dir}/truth_episodes.csv`;
  const lines: string[] = [ORDER_COLUMNS];
  const names = truth.identities.map((identity) => `${identity.name},${identity.kind},${identity.owner}`);
  truth.forEachOrder((orderId, identity) => lines.push(`${orderId},${names[identity]}`));
  writeFileSync(orders, lines.join('\n') + '\n');
  writeFileSync(episodes, episodeCsv(truth.episodes, instrument, timeBaseNs));
  return { orders, episodes };
}

/** Episodes as CSV text with EPISODE_COLUMNS. */
export function episodeCsv(list: readonly Episode[], instrument: Instrument, timeBaseNs: bigint): string {
  const lines = [EPISODE_COLUMNS];
  for (const episode of list) {
    const price = Number.isNaN(episode.price) ? '' : decimalText(episode.price, instrument.priceDecimals);
    lines.push(
      [
        episode.kind,
        (timeBaseNs + BigInt(episode.startNs)).toString(),
        (timeBaseNs + BigInt(episode.endNs)).toString(),
        String(episode.side),
        price,
        episode.orderIds.join(' '),
        csvField(episode.actor ?? ''),
        csvField(episode.explanation),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** An integer number of units as exact decimal text with `decimals` places, trailing zeros dropped. */
export function decimalText(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const negative = units < 0;
  const digits = String(Math.abs(units)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, -decimals);
  const fraction = digits.slice(-decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
