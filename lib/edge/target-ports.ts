/**
 * The ports and health checks the load balancers expect of the pods they forward to. The charts
 * configure Kong and the gateway to match (they import these), so a change here is a change to
 * both sides in one commit.
 */

/** Kong's proxy port: the ALB forwards REST traffic here (plain HTTP inside the VPC). */
export const KONG_PROXY_PORT = 8000;
/** Kong's status listener, which answers readiness without touching upstreams. */
export const KONG_STATUS_PORT = 8100;
/** Kong's readiness path on {@link KONG_STATUS_PORT}: 200 once its configuration is loaded. */
export const KONG_HEALTH_PATH = '/status/ready';

/** The WebSocket gateway's port: the NLB forwards WebSocket connections here. */
export const GATEWAY_PORT = 8080;
/**
 * The gateway's probe port (`GATEWAY_HTTP_PORT` in the app), apart from the WebSocket port so
 * health checks never queue behind upgrades.
 */
export const GATEWAY_HEALTH_PORT = 9090;
/**
 * The gateway's readiness path on {@link GATEWAY_HEALTH_PORT}. It fails from the moment the pod
 * starts draining, so the NLB stops sending new connections while old ones finish.
 */
export const GATEWAY_HEALTH_PATH = '/readyz';
