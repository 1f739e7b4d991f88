import { MONITORING_STACK } from '../../charts/monitoring-stack';

/** The namespace the in-cluster observability tools run in, under Pod Security "restricted". */
export const OBSERVABILITY_NAMESPACE = MONITORING_STACK.namespace;

/**
 * The node agents that need the host (Fluent Bit reads `/var/log` through hostPath, node-exporter
 * uses the host's network, PID namespace and root filesystem): Pod Security "privileged" allows
 * them, so they get a namespace of their own and nothing else runs there.
 */
export const NODE_AGENTS_NAMESPACE = 'observability-agents';
