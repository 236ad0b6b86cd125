import { describe, expect, it } from "vitest";
import { ServerTimings, timed, withServerTiming } from "./server-timing";

describe("Server-Timing", () => {
  it("names each step, the rest and the total, without counting an inner step twice", () => {
    const timings = new ServerTimings();
    timings.add("session", 4);
    timings.add("db", 3, true);
    timings.add("api", 2);
    timings.add("api", 1.04);
    const fields = timings.toJSON("render");
    expect(fields).toMatchObject({ session: 4, db: 3, api: 3 });
    expect(fields.render).toBeCloseTo(Math.max(0, fields.total - 7), 0);
    expect(timings.header("render")).toMatch(
      /^session;dur=4, db;dur=3, api;dur=3, render;dur=[\d.]+, total;dur=[\d.]+$/,
    );
  });

  it("collects the steps a route handler takes into its answer's header, even a redirect's", async () => {
    const { response, timings } = await withServerTiming(async () => {
      await timed("idp", () => new Promise((resolve) => setTimeout(resolve, 20)));
      return Response.redirect("http://localhost:3000/dashboard", 302);
    }, "authjs");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://localhost:3000/dashboard");
    expect(timings.steps.get("idp")).toBeGreaterThanOrEqual(15);
    expect(response.headers.get("server-timing")).toMatch(/^idp;dur=[\d.]+, authjs;dur=[\d.]+, total;dur=[\d.]+$/);
  });

  it("keeps a step's time when it throws", async () => {
    const { timings } = await withServerTiming(async () => {
      await timed("idp", async () => {
        throw new Error("down");
      }).catch(() => undefined);
      return new Response("ok");
    }, "rest");
    expect(timings.steps.has("idp")).toBe(true);
  });
});
