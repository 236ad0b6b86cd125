/**
 * One log line for both programs (lib/logger.ts, idp/logger.ts), readable by a machine and by a
 * person: pino with level names, ISO-8601 `time`, `service` and, inside a request, `reqId`. As
 * JSON (LOG_FORMAT=json, the default anywhere but a terminal: a pipe, a file, CI, a container),
 * or through pino-pretty as one coloured line per event with the service's name
 * (LOG_FORMAT=pretty, the default on a terminal). `npm start` / `npm run dev` (scripts/run.ts)
 * prettify the programs' JSON with the same options, so one terminal shows one format.
 *
 * Plain Node on purpose, like ./settings.ts: the IdP and the scripts import it too.
 */
import { pino, stdTimeFunctions, type DestinationStream, type LevelWithSilent, type LoggerOptions } from "pino";
import { build as prettyStream, prettyFactory, type PrettyOptions } from "pino-pretty";
import { REDACT_PATHS } from "./log-redaction.ts";
import type { LogFormat } from "./settings.ts";

/** The options every logger of either program starts from. */
export function baseLogOptions(service: "app" | "idp", level: LevelWithSilent): LoggerOptions {
  return {
    level,
    base: { service },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
  };
}

/** ANSI colours of the service names, also scripts/run.ts's prefixes. */
export const SERVICE_COLORS = { idp: 35, app: 36 } as const;

const PRETTY: PrettyOptions = {
  colorize: true,
  singleLine: true,
  translateTime: "SYS:HH:MM:ss.l",
  ignore: "pid,hostname,service",
  messageFormat: (log, messageKey) => {
    const service = String(log.service ?? "");
    const color = service === "idp" || service === "app" ? SERVICE_COLORS[service] : 0;
    const name = `\x1b[${color}m${service.padEnd(4)}\x1b[0m`;
    return `${name} ${String(log[messageKey] ?? "")}`;
  },
};

/** A function turning one JSON log line into one pretty line (scripts/run.ts). */
export function prettifier(): (line: string) => string {
  return prettyFactory(PRETTY);
}

/** A pino logger with `options`, writing JSON or pretty lines to `destination` (default: stdout). */
export function createPinoLogger(options: LoggerOptions, format: LogFormat, destination?: DestinationStream) {
  if (format === "pretty") return pino(options, prettyStream({ ...PRETTY, destination: destination ?? 1, sync: true }));
  return destination ? pino(options, destination) : pino(options);
}
