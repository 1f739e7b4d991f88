/**
 * How workloads find their nodes: every node carries `NODE_ROLE_LABEL=<role>`, and the `gateway`
 * and `api` nodes also carry a `NoSchedule` taint with the same key and value, so only pods that
 * both select and tolerate the role land there. `system` nodes are untainted: the add-ons,
 * controllers, Kong, the worker and the observability agents run there.
 */
export const NODE_ROLE_LABEL = 'co-talk.io/node-role';

/** The managed node group roles, as named in the profile's `cluster.nodeGroups`. */
export const NODE_ROLES = ['system', 'gateway', 'api'] as const;
/** One managed node group role. */
export type NodeRole = (typeof NODE_ROLES)[number];

/** Roles whose nodes are tainted so only their own workload schedules there. */
export const DEDICATED_NODE_ROLES: readonly NodeRole[] = ['gateway', 'api'];
