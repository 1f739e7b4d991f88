import type { InterfaceEndpointName, Profile } from './schema';

/** Any IPv4 address: AWS's public service endpoints, reached through the NAT gateways. */
const ANY_IPV4 = '0.0.0.0/0';

/**
 * Where pods must be allowed to send HTTPS to reach the AWS services they call. Interface
 * endpoints are a profile choice (`network.interfaceEndpoints`): with an endpoint for every one of
 * `services`, private DNS resolves them to addresses in the VPC and the VPC range is enough;
 * without, the calls leave through the NAT gateways to public addresses, and a policy narrowed to
 * the VPC would cut them off.
 * https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html
 */
export function awsApiEgressCidr(profile: Profile, services: readonly InterfaceEndpointName[]): string {
  const endpoints = profile.network.interfaceEndpoints;
  return services.every((service) => service in endpoints) ? profile.network.vpcCidr : ANY_IPV4;
}
