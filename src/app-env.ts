// The one Hono context every route shares: the Worker's bindings, and the ports
// deps.ts chose for this request, built once by `provideDeps` before any route runs.
import type { MiddlewareHandler } from 'hono';
import { buildDeps, type Deps } from './deps';

export type AppVariables = { deps: Deps };
export type AppEnv = { Bindings: Env; Variables: AppVariables };
/** A route group that sets variables of its own (the console's session) on top of `deps`. */
export type AppEnvWith<Extra extends object> = { Bindings: Env; Variables: AppVariables & Extra };

/**
 * Build the request's deps once. A test (or an outer app) that set `deps` first
 * keeps its own: that is how doubles are injected into the HTTP routes.
 */
export function provideDeps(build: (env: Env) => Deps = (env) => buildDeps(env)): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.deps) c.set('deps', build(c.env));
    await next();
  };
}
