import { fileBytes } from '../bytes.js';

/**
 * Streams the elements of a file that holds one top-level JSON array, as text, without parsing the
 * whole file: a scanner tracks nesting and strings and cuts the array at its top-level commas.
 * Yields [element number (1-based), text]. A file that is not one array, or ends inside it, is
 * reported through `onProblem` with the element number it concerns.
 */
export async function* jsonArrayElements(path: string, onProblem: (element: number, detail: string) => void): AsyncGenerator<[number, string]> {
  const decoder = new TextDecoder();
  let buffer = '';
  let pos = 0; // next character to scan
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementStart = -1;
  let element = 0;
  let arrays = 0;
  for await (const chunk of fileBytes(path)) {
    buffer += decoder.decode(chunk, { stream: true });
    for (; pos < buffer.length; pos++) {
      const c = buffer.charCodeAt(pos);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92 /* backslash */) escaped = true;
        else if (c === 34 /* " */) inString = false;
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (depth === 0) {
        if (c === 91 /* [ */ && arrays++ === 0) depth = 1;
        else onProblem(element, 'text outside the top-level array');
        continue;
      }
      if (depth === 1) {
        if (c === 44 /* , */ || c === 93 /* ] */) {
          if (elementStart >= 0) yield [++element, buffer.slice(elementStart, pos).trim()];
          elementStart = -1;
          if (c === 93) depth = 0;
          continue;
        }
        if (elementStart < 0) elementStart = pos;
      }
      if (c === 34) inString = true;
      else if (c === 91 || c === 123 /* { */) depth++;
      else if (c === 93 || c === 125 /* } */) depth--;
    }
    // Keep only what the current element has so far.
    const keep = elementStart >= 0 ? elementStart : pos;
    buffer = buffer.slice(keep);
    pos -= keep;
    if (elementStart >= 0) elementStart = 0;
  }
  if (depth !== 0 || arrays === 0) onProblem(element + 1, arrays === 0 ? 'no top-level JSON array' : 'file ends inside the top-level array');
}
