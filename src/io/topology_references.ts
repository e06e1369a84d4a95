import { isRecord } from '../util/validate.js';

/** An input of a node as tfjs-layers reads it: `data[0]` names the layer (as a key), `data[1]` the node. */
function referenceOf(data: unknown): { name: string; index: number } | null {
  if (data == null) return null; // tfjs-layers fails on it (a TypeError), it does not wait for it
  const indexed = data as Record<number, unknown>;
  return { name: String(indexed[0]), index: Number(indexed[1]) };
}

/** Every functional model's config in a topology: the model's own and those of models nested as layers. */
function functionalConfigs(topology: unknown): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const visit = (node: unknown, depth: number): void => {
    if (!isRecord(node) || depth > 64) return;
    const config = node.config;
    if (isRecord(config) && Array.isArray(config.layers)) {
      if (node.class_name === 'Model' || node.class_name === 'Functional') found.push(config);
      for (const layer of config.layers) visit(layer, depth + 1);
    }
  };
  visit(isRecord(topology) && isRecord(topology.model_config) ? topology.model_config : topology, 0);
  return found;
}

/**
 * Checks that the layers of every functional model in a topology refer only to layers it defines,
 * and to nodes those layers get: tfjs-layers builds a functional model by retrying, until each is
 * built, the nodes whose inputs are not built yet — a reference to a layer or node that never comes,
 * or a cycle, makes it retry forever. Replays that order on the config alone (nothing is built).
 *
 * @param topology - a model file's `modelTopology` (untrusted; shapes this check does not know are
 *   left to tfjs-layers, which reports them).
 * @returns null, or what is wrong, for an error message.
 */
export function danglingReference(topology: unknown): string | null {
  for (const config of functionalConfigs(topology)) {
    const nodes = new Map<string, number>();
    let pending: Array<{ layer: string; inputs: Array<{ name: string; index: number }> }> = [];
    for (const layer of (config.layers as unknown[]).filter(isRecord)) {
      const name = String(layer.name);
      // An input layer has its node from the start; every other layer gets one per inbound node applied.
      nodes.set(name, layer.class_name === 'InputLayer' ? 1 : 0);
      const inbound = Array.isArray(layer.inbound_nodes) ? layer.inbound_nodes : [];
      for (const data of inbound) {
        if (!Array.isArray(data) && typeof data !== 'string') continue; // not iterable: tfjs-layers fails on it
        const inputs = Array.from(data as ArrayLike<unknown>, referenceOf).filter((r) => r != null);
        pending.push({ layer: name, inputs });
      }
    }
    for (const { layer, inputs } of pending) {
      const unknown = inputs.find(({ name }) => !nodes.has(name));
      if (unknown) return `layer ${JSON.stringify(layer)} takes its input from ${JSON.stringify(unknown.name)}, a layer the model does not define`;
    }
    // A node waits while one of its inputs names a node not built yet (a NaN index fails instead).
    const waits = ({ name, index }: { name: string; index: number }): boolean => nodes.get(name)! <= index;
    while (pending.length > 0) {
      const left = pending.filter(({ inputs }) => inputs.some(waits));
      if (left.length === pending.length) {
        const { layer, inputs } = pending[0]!;
        const { name, index } = inputs.find(waits)!;
        return `layer ${JSON.stringify(layer)} takes its input from node ${index} of ${JSON.stringify(name)}, which the model never builds (a missing node or a cycle)`;
      }
      for (const built of pending) if (!left.includes(built) && built.inputs.length > 0) nodes.set(built.layer, nodes.get(built.layer)! + 1);
      pending = left;
    }
  }
  return null;
}
