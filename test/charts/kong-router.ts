/**
 * Kong 3.x route matching (router_flavor `traditional_compatible`, the default) as Kong documents
 * it, for the routes and plugins this repository writes: paths (prefix, or regex with `~`),
 * methods, `regex_priority`. Source: https://developer.konghq.com/gateway/routing/traditional/
 *
 * - The request path is normalized first: percent-encoded unreserved characters are decoded and
 *   dot segments removed (RFC 3986 section 6).
 * - A route matches when every field it sets matches: one of its methods, one of its paths (a
 *   prefix path by prefix, a regex path anchored at the start of the path).
 * - Priority, most significant first: "priority points" (one each for methods, hosts, headers,
 *   snis), then regex paths before prefix paths (regexes by `regex_priority`, prefixes longest
 *   first). Each path of a route is ranked on its own.
 * - A plugin on the route replaces the same plugin on the service.
 */

export interface KongPlugin {
  readonly name: string;
  readonly config: Record<string, unknown>;
}
export interface KongRoute {
  readonly name: string;
  readonly paths?: readonly string[];
  readonly methods?: readonly string[];
  readonly hosts?: readonly string[];
  readonly headers?: Record<string, readonly string[]>;
  readonly snis?: readonly string[];
  readonly regex_priority?: number;
  readonly plugins?: readonly KongPlugin[];
}
export interface KongService {
  readonly name: string;
  readonly routes: readonly KongRoute[];
  readonly plugins?: readonly KongPlugin[];
}
export interface KongDeclarative {
  readonly services: readonly KongService[];
  readonly plugins?: readonly KongPlugin[];
}

/** A matched route with the plugins in effect for it (global, then service, then route wins). */
export interface KongMatch {
  readonly route: KongRoute;
  readonly plugins: Readonly<Record<string, KongPlugin['config']>>;
}

/** RFC 3986 6.2.2: decode percent-encoded unreserved characters, remove dot segments. */
export function normalizePath(rawPath: string): string {
  const decoded = rawPath.split('?')[0].replace(/%([0-9A-Fa-f]{2})/g, (whole, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : whole.toUpperCase();
  });
  const out: string[] = [];
  const segments = decoded.split('/');
  segments.forEach((segment, i) => {
    if (segment === '.') {
      if (i === segments.length - 1) out.push('');
    } else if (segment === '..') {
      if (out.length > 1) out.pop();
      if (i === segments.length - 1) out.push('');
    } else out.push(segment);
  });
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}

interface Candidate {
  readonly route: KongRoute;
  readonly service: KongService;
  readonly points: number;
  readonly regex: boolean;
  readonly rank: number;
}

/** The route Kong would pick for `method path`, or undefined (Kong answers 404 itself). */
export function matchKongRoute(config: KongDeclarative, method: string, rawPath: string): KongMatch | undefined {
  const path = normalizePath(rawPath);
  const candidates: Candidate[] = [];
  for (const service of config.services) {
    for (const route of service.routes) {
      if (route.hosts || route.headers || route.snis)
        throw new Error(`route ${route.name}: hosts/headers/snis not modelled`);
      if (route.methods && !route.methods.includes(method)) continue;
      const points = route.methods ? 1 : 0;
      for (const routePath of route.paths ?? []) {
        const regex = routePath.startsWith('~');
        const matches = regex ? new RegExp(`^(?:${routePath.slice(1)})`).test(path) : path.startsWith(routePath);
        if (!matches) continue;
        candidates.push({
          route,
          service,
          points,
          regex,
          rank: regex ? (route.regex_priority ?? 0) : routePath.length,
        });
      }
    }
  }
  candidates.sort((a, b) => b.points - a.points || Number(b.regex) - Number(a.regex) || b.rank - a.rank);
  const best = candidates[0];
  if (best === undefined) return undefined;
  const tied = candidates.filter(
    (c) => c.route !== best.route && c.points === best.points && c.regex === best.regex && c.rank === best.rank,
  );
  // Kong leaves the choice among equal priorities undefined: a configuration must not rely on it.
  if (tied.length > 0) throw new Error(`${method} ${path}: routes ${best.route.name} and ${tied[0].route.name} tie`);
  const plugins: Record<string, KongPlugin['config']> = {};
  for (const plugin of [...(config.plugins ?? []), ...(best.service.plugins ?? []), ...(best.route.plugins ?? [])]) {
    plugins[plugin.name] = plugin.config;
  }
  return { route: best.route, plugins };
}
