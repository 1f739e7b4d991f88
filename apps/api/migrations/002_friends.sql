-- A friendship is two rows, one per side, so "my friends" is one index range on user_id:
-- 'requested' (I asked), 'pending' (I was asked), 'accepted' (both sides).
CREATE TABLE friends (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  friend_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status     text NOT NULL CHECK (status IN ('requested', 'pending', 'accepted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, friend_id),
  CHECK (user_id <> friend_id)
);

CREATE INDEX idx_friends_user_status ON friends(user_id, status) INCLUDE (friend_id);
