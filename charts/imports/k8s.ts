/**
 * Typed Kubernetes API objects (`KubePodDisruptionBudget`, `KubeHorizontalPodAutoscalerV2`, ...).
 *
 * These are the bindings `cdk8s import k8s` generates, taken from the copy cdk8s-plus-27 ships
 * (generated from the Kubernetes 1.27 schema), because `cdk8s import k8s` downloads its schema
 * and synthesis must stay offline. Every API group used here is stable and unchanged up to the
 * cluster's 1.36; fields newer than 1.27 (for example `lifecycle.preStop.sleep`) are added with
 * JSON patches, and the tests validate every rendered object against the 1.36 schema.
 */
export * from 'cdk8s-plus-27/lib/imports/k8s';
