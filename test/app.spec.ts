import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';
import { PROFILE_NAMES } from '../lib/config';
import { synthApp } from './support/synth-app';

interface OpenRule {
  readonly path: string;
  readonly fromPort: number;
  readonly toPort: number;
}

/** Every ingress rule open to the whole internet (IPv4 or IPv6), inline or standalone, in `scope`. */
function rulesOpenToInternet(scope: IConstruct): OpenRule[] {
  const open: OpenRule[] = [];
  const isOpen = (rule: { cidrIp?: string; cidrIpv6?: string }) =>
    rule.cidrIp === '0.0.0.0/0' || rule.cidrIpv6 === '::/0';
  for (const c of scope.node.findAll()) {
    if (c instanceof ec2.CfnSecurityGroup) {
      const ingress = Stack.of(c).resolve(c.securityGroupIngress) as
        { cidrIp?: string; cidrIpv6?: string; fromPort: number; toPort: number }[] | undefined;
      for (const rule of ingress ?? []) {
        if (isOpen(rule)) open.push({ path: c.node.path, fromPort: rule.fromPort, toPort: rule.toPort });
      }
    }
    if (c instanceof ec2.CfnSecurityGroupIngress && isOpen(c)) {
      open.push({ path: c.node.path, fromPort: c.fromPort ?? -1, toPort: c.toPort ?? -1 });
    }
  }
  return open;
}

describe.each(PROFILE_NAMES)('the whole %s app', (name) => {
  const { stacks } = synthApp(name);

  test('opens nothing to the internet but the load balancers listener ports', () => {
    const allowed = new Map([
      ['Edge/RestLoadBalancer/SecurityGroup/Resource', [80, 443]],
      ['Edge/WebSocketLoadBalancer/SecurityGroup/Resource', [443]],
    ]);
    const open = Object.values(stacks).flatMap((stack) => rulesOpenToInternet(stack));
    const offending = open.filter(
      (rule) => rule.fromPort !== rule.toPort || !(allowed.get(rule.path) ?? []).includes(rule.fromPort),
    );
    expect(offending).toEqual([]);
    // The scan does see the listener rules it lets through.
    expect(open.map((rule) => rule.path)).toContain('Edge/RestLoadBalancer/SecurityGroup/Resource');
  });
});
