-- One PostgreSQL role per app, each with only what it does (least privilege); the migrations keep
-- the DDL. In production the apps log in as these roles with RDS IAM authentication (a token per
-- connection, no password); locally and in tests they exist too, and the tests check their grants.
--
-- Roles belong to the whole server, not to one database, and several databases may be migrated at
-- once (the tests make one per file): creating a role that another transaction has just created
-- fails with duplicate_object, or with unique_violation when that transaction had not committed
-- yet. Either means the role is there, which is all this needs.
DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['cotalk_api', 'cotalk_worker'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', role_name);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
    -- On RDS, membership of rds_iam makes the role log in with IAM tokens only (no password).
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
      IF NOT pg_has_role(role_name, 'rds_iam', 'MEMBER') THEN
        EXECUTE format('GRANT rds_iam TO %I', role_name);
      END IF;
    END IF;
  END LOOP;
END;
$$;

-- Per database from here on: what each app's SQL does, nothing more. Partitions are reached
-- through `messages`, whose grants are the ones checked.
GRANT USAGE ON SCHEMA public TO cotalk_api, cotalk_worker;

-- The API: accounts, friends, rooms and membership; message history and search are reads.
GRANT SELECT, INSERT, UPDATE ON users, friends TO cotalk_api;
GRANT SELECT, INSERT ON chat_rooms TO cotalk_api;
GRANT SELECT, INSERT, DELETE ON room_members TO cotalk_api;
GRANT SELECT ON messages TO cotalk_api;

-- The worker: stores messages (INSERT ... ON CONFLICT DO NOTHING) and reads them back.
GRANT SELECT, INSERT ON messages TO cotalk_worker;
-- Its key check reads message_keys; the trigger on messages writes it as the inserting role.
GRANT SELECT, INSERT ON message_keys TO cotalk_worker;

-- Creating a partition takes ownership of `messages`, which stays with the migrations. The worker
-- keeps next months' partitions ready through this function alone: it runs as its owner, with a
-- fixed search_path so no object of the caller's can stand in for one of its own.
ALTER FUNCTION ensure_message_partitions(timestamptz, integer) SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION ensure_message_partitions(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_message_partitions(timestamptz, integer) TO cotalk_worker;
