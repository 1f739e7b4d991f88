import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Kernel and container-runtime limits of the gateway nodes, raised so one node can hold the
 * connections `lib/capacity` plans for it. The capacity model reads these constants; the launch
 * template's user data below applies them, so the two cannot drift apart.
 */

/**
 * kube-proxy sizes every node's conntrack table at start: `conntrack.maxPerCore` (32768) times the
 * vCPUs, at least `conntrack.min` (131072), the defaults of KubeProxyConfiguration
 * (https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/). The EKS kube-proxy
 * add-on does not expose them in its configuration values
 * (https://github.com/aws/containers-roadmap/issues/2318), so they hold on every node.
 */
export const KUBE_PROXY_CONNTRACK = { maxPerCore: 32_768, min: 131_072 } as const;

/**
 * Conntrack entries a gateway node keeps room for: every client connection reaching a pod through
 * the NLB is one entry in the node's table. 2^21 covers a server at the brief's vertical size
 * (1M+ connections) with room for the node's own flows; an entry costs ~300 bytes only while used.
 */
export const GATEWAY_NODE_CONNTRACK_MAX = 2_097_152;

/**
 * Open files per container process on gateway nodes (soft = hard). The EKS AL2023 AMI's containerd
 * base runtime spec gives 65536 soft / 1048576 hard
 * (https://github.com/awslabs/amazon-eks-ami/blob/main/nodeadm/internal/containerd/base-runtime-spec.json),
 * and Node.js raises its soft limit to the hard one at start; pinning both here keeps the figure
 * the model uses from changing with an AMI. 1048576 is also the kernel's default `fs.nr_open`, the
 * most a process may be given without raising it.
 */
export const GATEWAY_CONTAINER_NOFILE = 1_048_576;

/** How often the node re-asserts its conntrack size after kube-proxy (re)starts and lowers it. */
export const CONNTRACK_FLOOR_INTERVAL_SECONDS = 30;

/**
 * User data of the gateway nodes' launch template (MIME multi-part, which EKS merges with its own
 * for AL2023 managed node groups):
 *
 * - a `NodeConfig` for nodeadm setting the containers' `RLIMIT_NOFILE` in containerd's base runtime
 *   spec (`spec.containerd.baseRuntimeSpec`);
 * - a script installing a systemd timer that keeps `nf_conntrack_max` (and the hash size, a quarter
 *   of it, as kube-proxy sizes it) at least {@link GATEWAY_NODE_CONNTRACK_MAX}: kube-proxy writes its
 *   own, smaller value whenever it starts, and only raising is done here.
 */
export function gatewayNodeUserData(): ec2.MultipartUserData {
  const userData = new ec2.MultipartUserData();
  userData.addPart(
    ec2.MultipartBody.fromRawBody({
      contentType: 'application/node.eks.aws',
      body: [
        'apiVersion: node.eks.aws/v1alpha1',
        'kind: NodeConfig',
        'spec:',
        '  containerd:',
        '    baseRuntimeSpec:',
        '      process:',
        '        rlimits:',
        '          - type: RLIMIT_NOFILE',
        `            soft: ${GATEWAY_CONTAINER_NOFILE}`,
        `            hard: ${GATEWAY_CONTAINER_NOFILE}`,
        '',
      ].join('\n'),
    }),
  );
  const want = GATEWAY_NODE_CONNTRACK_MAX;
  const script = ec2.UserData.forLinux();
  script.addCommands(
    'set -euo pipefail',
    "cat > /usr/local/sbin/co-talk-conntrack-floor <<'EOF'",
    '#!/bin/sh',
    'set -eu',
    'modprobe nf_conntrack',
    `want=${want}`,
    '[ "$(cat /proc/sys/net/netfilter/nf_conntrack_max)" -ge "$want" ] || echo "$want" > /proc/sys/net/netfilter/nf_conntrack_max',
    '[ "$(cat /sys/module/nf_conntrack/parameters/hashsize)" -ge $((want / 4)) ] || echo $((want / 4)) > /sys/module/nf_conntrack/parameters/hashsize',
    'EOF',
    'chmod 0755 /usr/local/sbin/co-talk-conntrack-floor',
    "cat > /etc/systemd/system/co-talk-conntrack-floor.service <<'EOF'",
    '[Unit]',
    'Description=Keep the gateway node conntrack table at its planned size',
    '[Service]',
    'Type=oneshot',
    'ExecStart=/usr/local/sbin/co-talk-conntrack-floor',
    'EOF',
    "cat > /etc/systemd/system/co-talk-conntrack-floor.timer <<'EOF'",
    '[Unit]',
    'Description=Re-assert the gateway node conntrack size after kube-proxy restarts',
    '[Timer]',
    'OnBootSec=0',
    `OnUnitActiveSec=${CONNTRACK_FLOOR_INTERVAL_SECONDS}s`,
    'AccuracySec=1s',
    '[Install]',
    'WantedBy=timers.target',
    'EOF',
    'systemctl daemon-reload',
    'systemctl enable --now co-talk-conntrack-floor.timer',
  );
  userData.addUserDataPart(script, ec2.MultipartBody.SHELL_SCRIPT);
  return userData;
}
