import type { ApiContract } from "../contract";
import { bodyToExamine, examineMessage, readMessageId } from "../examine";
import { h7Channels, matchChannel, unknownChannel } from "./channels";

/** DeltaH7, low-value e-commerce imports: the published callback contract (H7-CALLBACKS.md). */
export const h7Contract: ApiContract = {
  channels: [...h7Channels.map((channel) => channel.name), unknownChannel.name],
  channelOf(relativePath) {
    const { channel, pathParams } = matchChannel(h7Channels, relativePath);
    return { channel: channel.name, pathParams };
  },
  messageIdOf: (body) => readMessageId(body),
  withoutMessageId: "refuse",
  examine(channelName, body, pathParams, text) {
    const channel = h7Channels.find((candidate) => candidate.name === channelName) ?? unknownChannel;
    const { validation, findings, keys, declarations } = examineMessage(
      channel,
      bodyToExamine(channel, body, text) as Record<string, unknown>,
      pathParams,
    );
    return { validation, findings, keys, declarations };
  },
};
