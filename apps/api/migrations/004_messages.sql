-- Messages, partitioned by month on created_at. The key is (id, created_at): a partitioned
-- table's unique constraints must include the partition key, and both values come from the
-- message itself (the gateway assigns them), so a redelivered message lands in the same
-- partition on the same key and INSERT ... ON CONFLICT DO NOTHING stores it once.
-- No foreign keys: the worker must never be stalled by a row it cannot store, and a foreign-key
-- check per row would slow the one hot write path.
CREATE TABLE messages (
  id            uuid NOT NULL,
  chat_room_id  uuid NOT NULL,
  sender_id     uuid NOT NULL,
  client_msg_id text NOT NULL,
  content       text NOT NULL,
  created_at    timestamptz NOT NULL,
  stored_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE INDEX idx_messages_room_time ON messages(chat_room_id, created_at DESC) INCLUDE (sender_id, content);

-- Creates the monthly partitions (UTC months) from the month of from_ts through months_ahead
-- months after it. Safe to run concurrently (advisory lock) and repeatedly (IF NOT EXISTS).
CREATE FUNCTION ensure_message_partitions(from_ts timestamptz, months_ahead integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
  month_start timestamp := date_trunc('month', from_ts AT TIME ZONE 'UTC');
  lower_bound timestamp;
  partition_name text;
  created integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('ensure_message_partitions'));
  FOR i IN 0..months_ahead LOOP
    lower_bound := month_start + make_interval(months => i);
    partition_name := 'messages_' || to_char(lower_bound, 'YYYY_MM');
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF messages FOR VALUES FROM (%L) TO (%L)',
        partition_name,
        (lower_bound AT TIME ZONE 'UTC'),
        ((lower_bound + interval '1 month') AT TIME ZONE 'UTC')
      );
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END;
$$;

-- Last month too, so a message stamped just before a month boundary still finds its partition.
SELECT ensure_message_partitions(now() - interval '1 month', 3);
