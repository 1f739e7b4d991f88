import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  REDIS_DEFAULT_USER_ACCESS_STRING,
  redisAccessString,
  redisUserName,
  redisUsersOf,
  type RedisApp,
  type RedisRole,
} from '../contract';

/** Props for {@link RedisAccessControl}. */
export interface RedisAccessControlProps {
  /** The cluster whose users these are: picks the apps and their rules from the contract. */
  readonly role: RedisRole;
  /** The environment's name: user and group ids are unique per account and region. */
  readonly environment: string;
  /** What the cluster is for, for the secrets' descriptions. */
  readonly description: string;
  /** Encrypts the password secrets. */
  readonly key: kms.IKey;
  /** What happens to the secrets when the stack deletes them. */
  readonly removalPolicy: RemovalPolicy;
}

/** One app's ElastiCache user on one cluster. */
export interface RedisUser {
  /** The name it authenticates as (`AUTH <name> <password>`). */
  readonly userName: string;
  /** Its password: a plain string secret, generated, read only by that app's Pod Identity role. */
  readonly secret: secretsmanager.ISecret;
  /** The ElastiCache user. */
  readonly user: elasticache.CfnUser;
}

/** Static construct ids per app: ids never derive from props. */
const USER_IDS: Record<RedisApp, string> = { gateway: 'Gateway', api: 'Api', worker: 'Worker', kong: 'Kong' };

/**
 * ElastiCache RBAC for one cluster: a user per app that uses it, with the access string of
 * `lib/contract/redis-acl.ts` and a generated password in Secrets Manager, the `default` user
 * ElastiCache requires switched off, and the user group the replication group attaches.
 */
export class RedisAccessControl extends Construct {
  /** The group to attach to the replication group (`UserGroupIds`). */
  public readonly userGroup: elasticache.CfnUserGroup;
  /** The apps' users, by app. */
  public readonly users: Partial<Record<RedisApp, RedisUser>>;

  constructor(scope: Construct, id: string, props: RedisAccessControlProps) {
    super(scope, id);
    const prefix = `cotalk-${props.environment}-${props.role}`;

    const defaultUser = new elasticache.CfnUser(this, 'DefaultUser', {
      engine: 'redis',
      userId: `${prefix}-default`,
      userName: 'default',
      accessString: REDIS_DEFAULT_USER_ACCESS_STRING,
      // Switched off: nobody can sign in as it, with or without a password.
      authenticationMode: { Type: 'no-password-required' },
    });

    const users: Partial<Record<RedisApp, RedisUser>> = {};
    for (const { app, access } of redisUsersOf(props.role)) {
      const userName = redisUserName(props.environment, app, props.role);
      const scope = new Construct(this, USER_IDS[app]);
      // ElastiCache passwords allow 16-128 printable characters without @, " or /.
      const secret = new secretsmanager.Secret(scope, 'Password', {
        description: `Co-Talk ${props.description}: Redis password of ${userName}`,
        encryptionKey: props.key,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy: props.removalPolicy,
      });
      Validations.of(secret.node.defaultChild as Construct).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'No Secrets Manager rotation template exists for ElastiCache users, and the apps and Kong read the password at start only; a password is rotated by hand with ModifyUser, which holds two passwords during the switch (README, data access decisions)',
      });
      const user = new elasticache.CfnUser(scope, 'User', {
        engine: 'redis',
        userId: userName,
        userName,
        accessString: redisAccessString(access),
        authenticationMode: { Type: 'password', Passwords: [secret.secretValue.unsafeUnwrap()] },
      });
      users[app] = { userName, secret, user };
    }
    this.users = users;

    this.userGroup = new elasticache.CfnUserGroup(this, 'UserGroup', {
      engine: 'redis',
      userGroupId: prefix,
      // Ref of a user is its id, and makes CloudFormation create the users first.
      userIds: [defaultUser.ref, ...Object.values(users).map(({ user }) => user.ref)],
    });
  }
}
