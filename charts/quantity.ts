/**
 * Kubernetes quantities as the profile writes them (`500m`, `2`, `512Mi`, `26Gi`), converted to
 * whole millicores and mebibytes for arithmetic (quotas) and for cdk8s-plus resources.
 */

/** CPU quantity in millicores: `500m` -> 500, `2` -> 2000, `0.5` -> 500. */
export function cpuMillis(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity);
  if (!match) {
    throw new Error(`CPU quantity "${quantity}" is not valid: use millicores (500m) or cores (2, 0.5)`);
  }
  const value = Number(match[1]);
  return match[2] === 'm' ? value : Math.round(value * 1000);
}

/** Memory quantity in mebibytes: `512Mi` -> 512, `4Gi` -> 4096. */
export function memoryMebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) {
    throw new Error(`memory quantity "${quantity}" is not valid: use Mi or Gi (512Mi, 4Gi)`);
  }
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}
