import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";

import { BodyTooLargeError, readBoundedBody } from "./body";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** A Fetch body in the given chunks, recording how many were pulled and whether it was cancelled. */
function webBody(chunks: string[]) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[seen.pulled++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(bytes(chunk));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

describe("readBoundedBody, Fetch bodies", () => {
  it("reads a body up to the limit whole, in every chunking", async () => {
    expect(text(await readBoundedBody(webBody(["ab", "cd", "e"]).stream, 5))).toBe("abcde");
    expect(text(await readBoundedBody(webBody(["abcde"]).stream, 5))).toBe("abcde");
    expect(text(await readBoundedBody(webBody([]).stream, 5))).toBe("");
    expect(text(await readBoundedBody(null, 5))).toBe("");
  });

  it("refuses one byte over the limit, stops reading there and cancels the rest", async () => {
    const { stream, seen } = webBody(["abc", "def", "never read"]);
    const error = await readBoundedBody(stream, 5).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBytes: 5, name: "BodyTooLargeError" });
    expect(seen.pulled).toBe(2);
    await Promise.resolve();
    expect(seen.cancelled).toBe(true);
  });

  it("does not stop at exactly the limit when refusing: more after it is still too much", async () => {
    await expect(readBoundedBody(webBody(["abcde", "f"]).stream, 5)).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it("with truncate, returns the first maxBytes and reads no further", async () => {
    const { stream, seen } = webBody(["abc", "def", "never read"]);
    expect(text(await readBoundedBody(stream, 5, { truncate: true }))).toBe("abcde");
    expect(seen.pulled).toBe(2);
    expect(text(await readBoundedBody(webBody(["ab"]).stream, 5, { truncate: true }))).toBe("ab");
  });

  it("reads a clone's prefix without waiting for the original body to be consumed", async () => {
    const request = new Request("http://x/", { method: "POST", body: "a".repeat(100_000) });
    const prefix = await readBoundedBody(request.clone().body, 10, { truncate: true });
    expect(text(prefix)).toBe("a".repeat(10));
    expect((await request.text()).length).toBe(100_000);
  });
});

describe("readBoundedBody, Node streams", () => {
  it("reads up to the limit, refuses more (destroying the stream), or truncates", async () => {
    expect(text(await readBoundedBody(Readable.from([bytes("ab"), bytes("cde")]), 5))).toBe("abcde");

    const big = Readable.from([bytes("abc"), bytes("def")]);
    await expect(readBoundedBody(big, 5)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(big.destroyed).toBe(true);

    const cut = Readable.from([bytes("abc"), bytes("def"), bytes("ghi")]);
    expect(text(await readBoundedBody(cut, 5, { truncate: true }))).toBe("abcde");
    expect(cut.destroyed).toBe(true);
  });
});
