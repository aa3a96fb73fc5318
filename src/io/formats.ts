import { basename } from 'node:path';
import { UsageError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import type { EventSource, FormatDescriptor, OpenOptions } from '../core/source.js';
import { headBytes } from './bytes.js';
import { withRecycledBatches } from './source-wrapper.js';
import { withInferredTicks } from './tick-inference.js';

/** Every readable format, by name. Readers register themselves through `defineFormat`. */
export const formats = new Registry<FormatDescriptor>('format');

/** Registers a format. Names are unique; see `flowmine inspect --help` for the list. */
export function defineFormat(descriptor: FormatDescriptor): FormatDescriptor {
  return formats.define(descriptor);
}

/** Names the format of a file from its first decompressed bytes and its name, or throws listing the known ones. */
export async function sniffFormat(path: string): Promise<FormatDescriptor> {
  const head = Buffer.from(await headBytes(path, 8192)).toString('latin1');
  const name = basename(path);
  const matches = formats.all().filter((format) => format.sniff(head, name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new UsageError(`${path}: format not recognised; name it with --format (known: ${formats.names().join(', ')})`);
  throw new UsageError(`${path}: could be ${matches.map((format) => format.name).join(' or ')}; name it with --format`);
}

/**
 * Opens a file with the named format, or the sniffed one when `format` is undefined; ticks the reader
 * cannot know are inferred (tick-inference.ts) unless `inferTicks` is false; batches are recycled when
 * the options say so.
 */
export async function openSource(path: string, options: OpenOptions & { format?: string } = {}): Promise<EventSource> {
  const descriptor = options.format ? formats.get(options.format) : await sniffFormat(path);
  const opened = await descriptor.open(path, options);
  const source = options.inferTicks === false ? opened : withInferredTicks(opened);
  return options.recycleBatches ? withRecycledBatches(source) : source;
}
