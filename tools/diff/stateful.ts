/**
 * Resource types that hold data: replacing or deleting one loses that data (or, for a key,
 * makes data encrypted under it unreadable). A diff that replaces or removes one fails unless
 * the reviewer allows it explicitly.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ServerlessCache',
  'AWS::OpenSearchService::Domain',
  'AWS::Elasticsearch::Domain',
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::EFS::FileSystem',
  'AWS::EC2::Volume',
  'AWS::Logs::LogGroup',
  'AWS::Cognito::UserPool',
]);
