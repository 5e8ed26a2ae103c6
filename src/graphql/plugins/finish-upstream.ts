import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';

/**
 * Once an operation's result is complete, cancels its upstream calls still in flight: work whose
 * answer nobody will read (a failed non-null field ends execution while siblings still wait).
 */
export function useFinishUpstream(): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone() {
          args.contextValue.finishUpstream();
        },
      };
    },
  };
}
