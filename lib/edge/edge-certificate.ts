import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

/** Props for {@link EdgeCertificate}. */
export interface EdgeCertificateProps {
  /** An existing ACM certificate to use as is. */
  readonly certificateArn?: string;
  /** The zone to issue and DNS-validate a certificate in, used when no ARN is given. */
  readonly hostedZone?: route53.IHostedZone;
  /** Names the issued certificate covers (the REST and WebSocket host names). */
  readonly domainNames: readonly string[];
}

/** The certificate both load balancers serve: the profile's ARN, or one issued with DNS validation. */
export class EdgeCertificate extends Construct {
  /** The certificate. */
  public readonly certificate: acm.ICertificate;

  constructor(scope: Construct, id: string, props: EdgeCertificateProps) {
    super(scope, id);
    if (props.certificateArn !== undefined) {
      this.certificate = acm.Certificate.fromCertificateArn(this, 'Imported', props.certificateArn);
      return;
    }
    const [domainName, ...alternativeNames] = props.domainNames;
    if (props.hostedZone === undefined || domainName === undefined) {
      throw new Error(
        'EdgeCertificate needs edge.certificateArn, or edge.hostedZone and at least one domain name to issue a certificate',
      );
    }
    this.certificate = new acm.Certificate(this, 'Resource', {
      domainName,
      subjectAlternativeNames: alternativeNames,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
  }
}
