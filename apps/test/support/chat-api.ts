import type { HttpRequest, HttpResponse } from './http';

/** A request to one running API. */
export type ApiCall = (req: HttpRequest) => Promise<HttpResponse>;

/** The room requests tests make to set up what they test, against the API `call` reaches. */
export function roomRequests(call: ApiCall) {
  return {
    /** Creates a room owned by the holder of `token`, with `memberIds` besides; answers its id. */
    async createRoom(token: string, name: string, memberIds?: string[]): Promise<string> {
      const res = await call({ method: 'POST', url: '/v1/rooms', token, payload: { name, memberIds } });
      if (res.statusCode !== 201) throw new Error(`room "${name}" not created: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    },

    /** Asks, as the holder of `token`, to add `userId` to the room. */
    addMember(token: string, roomId: string, userId: string): Promise<HttpResponse> {
      return call({ method: 'POST', url: `/v1/rooms/${roomId}/members`, token, payload: { userId } });
    },
  };
}
