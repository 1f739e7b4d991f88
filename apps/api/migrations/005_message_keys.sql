-- One stored message per (room, sender, clientMsgId): the sender's idempotency key, so a resend
-- after any crash (gateway, worker, Redis failover) can never become a second stored copy.
--
-- Why a table of its own: `messages` is partitioned by month, and a unique index on a
-- partitioned table must contain the partition key (created_at). A resend that the gateway
-- no longer recognises gets a new id and a new created_at, possibly in the next month's
-- partition, so a (room, sender, client_msg_id, created_at) index would not catch it. The keys
-- live in this narrow, unpartitioned table instead, whose primary key is exactly the triple.
--
-- Why a trigger: every insert into `messages` (the worker's, a backfill's, anyone's) writes its
-- keys in the same statement, so PostgreSQL enforces the rule whoever writes, and a message and
-- its key commit or roll back together. It is a statement-level trigger over the transition
-- table: one set-based INSERT per statement, not one per row, on the one hot write path. Rows
-- that INSERT ... ON CONFLICT (id, created_at) DO NOTHING skipped (a redelivered entry) are not
-- in the transition table, so a redelivery adds no key and raises nothing. A key taken by a
-- different message raises unique_violation on message_keys_pkey and the whole statement rolls
-- back; the worker filters keys already taken before inserting and treats such a conflict as
-- "already stored".
--
-- Keys are never deleted with their message: a message removed later must not come back through
-- a late resend. Dropping old partitions (retention) may delete their keys in the same step.
CREATE TABLE message_keys (
  chat_room_id  uuid NOT NULL,
  sender_id     uuid NOT NULL,
  client_msg_id text NOT NULL,
  -- The stored copy, so a conflict can be told apart from a redelivery of the same message.
  message_id    uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (chat_room_id, sender_id, client_msg_id)
);

-- Copies stored twice before this migration (resends after a gateway crash) are the same
-- message by the protocol's definition of the key: keep the earliest, drop the others.
DELETE FROM messages m
USING (
  SELECT id, created_at,
         row_number() OVER (PARTITION BY chat_room_id, sender_id, client_msg_id ORDER BY created_at, id) AS copy
  FROM messages
) d
WHERE m.id = d.id AND m.created_at = d.created_at AND d.copy > 1;

INSERT INTO message_keys (chat_room_id, sender_id, client_msg_id, message_id, created_at)
SELECT chat_room_id, sender_id, client_msg_id, id, created_at FROM messages;

CREATE FUNCTION message_keys_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  INSERT INTO message_keys (chat_room_id, sender_id, client_msg_id, message_id, created_at)
  SELECT chat_room_id, sender_id, client_msg_id, id, created_at FROM inserted_messages;
  RETURN NULL;
END;
$$;

-- On the partitioned parent: statement triggers fire for inserts through `messages` (which is
-- how every writer inserts), with the rows of all partitions in one transition table.
CREATE TRIGGER messages_keys
AFTER INSERT ON messages
REFERENCING NEW TABLE AS inserted_messages
FOR EACH STATEMENT EXECUTE FUNCTION message_keys_insert();
