/**
 * The items of `source`, each next one asked for as soon as the current one is handed out: a file read
 * then runs on libuv's thread pool while the current chunk is parsed, instead of after it (the parser
 * waited for every read). Line chunks read with `reuseBuffers` stay valid: at most two of the ring's
 * three buffers are in use, the one being parsed and the one being read.
 */
export async function* readingAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (let result = await next; !result.done; result = await next) {
      next = source.next();
      yield result.value;
    }
  } finally {
    // A consumer that stops early leaves a read pending: let it settle (its outcome no longer matters), then close.
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}
