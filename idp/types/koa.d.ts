/**
 * The slice of Koa 3 the IdP uses. The project ships no @types/koa; these declarations cover
 * only what idp/ touches, so a wrong use still fails type-checking. Delete this file if
 * @types/koa is ever added to package.json.
 */
declare module "koa" {
  import type { EventEmitter } from "node:events";
  import type { IncomingMessage, ServerResponse, Server } from "node:http";

  namespace Koa {
    type Next = () => Promise<unknown>;

    interface Cookies {
      get(name: string, options?: { signed?: boolean }): string | undefined;
      set(name: string, value?: string | null, options?: Record<string, unknown>): this;
    }

    interface Request {
      readonly req: IncomingMessage;
      body?: unknown;
      readonly length: number | undefined;
    }

    interface DefaultState {
      [key: string]: unknown;
    }

    interface Context {
      app: Koa;
      req: IncomingMessage & { body?: unknown };
      res: ServerResponse;
      request: Request;
      state: DefaultState;
      cookies: Cookies;
      method: string;
      path: string;
      url: string;
      href: string;
      origin: string;
      host: string;
      hostname: string;
      protocol: string;
      secure: boolean;
      ip: string;
      query: Record<string, string | string[] | undefined>;
      querystring: string;
      status: number;
      message: string;
      body: unknown;
      type: string;
      length: number | undefined;
      readonly headerSent: boolean;
      respond?: boolean;
      get(field: string): string;
      set(field: string, value: string | string[]): void;
      set(fields: Record<string, string>): void;
      remove(field: string): void;
      is(...types: string[]): string | false | null;
      accepts(...types: string[]): string | false;
      redirect(url: string): void;
      throw(status: number, message?: string): never;
    }

    type Middleware = (ctx: Context, next: Next) => unknown;
  }

  class Koa extends EventEmitter {
    proxy: boolean;
    keys: string[] | undefined;
    middleware: Koa.Middleware[];
    use(middleware: Koa.Middleware): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    listen(port?: number, host?: string, callback?: () => void): Server;
    createContext(req: IncomingMessage, res: ServerResponse): Koa.Context;
  }

  export = Koa;
}
