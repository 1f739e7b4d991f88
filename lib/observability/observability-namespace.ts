/** The namespace the in-cluster observability tools run in. */
export const OBSERVABILITY_NAMESPACE = 'observability';
