/**
 * Reading a request body without trusting its size: a Fetch body (the app's routes) or a Node
 * stream (the IdP's Koa requests), never held past `maxBytes` whatever Content-Length says.
 */

/** The body is longer than the reader's limit; nothing more of it was read. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`the body is larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

export interface ReadBodyOptions {
  /**
   * Return the first `maxBytes` and drop the rest instead of refusing the body, for a look at
   * its start (a scan that must not cost more than that). Default: false
   */
  truncate?: boolean;
}

/**
 * The bytes of `body`, at most `maxBytes` of them. A longer body is refused with a
 * {@link BodyTooLargeError} (or, with `truncate`, cut); either way reading stops there.
 * A Fetch body is cancelled once done with; a Node stream is destroyed when reading stops early.
 */
export async function readBoundedBody(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null,
  maxBytes: number,
  options: ReadBodyOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const truncate = options.truncate === true;
  /** Takes one chunk; true when no more is wanted (a refusing read goes on to the end, to tell). */
  const take = (chunk: Uint8Array): boolean => {
    if (!truncate && size + chunk.byteLength > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk);
    size += chunk.byteLength;
    return truncate && size >= maxBytes;
  };

  if (body === null) return new Uint8Array(0);
  if ("getReader" in body) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || take(value)) break;
      }
    } finally {
      // Not awaited: cancelling one branch of a tee'd body (a clone) settles only once the other
      // branch is cancelled too. Cancelling stops this branch from buffering the rest.
      reader.cancel().catch(() => {});
    }
  } else {
    // Leaving the loop early (break or throw) destroys the stream: the rest is never read.
    for await (const chunk of body) if (take(chunk)) break;
  }

  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes.subarray(0, maxBytes);
}
