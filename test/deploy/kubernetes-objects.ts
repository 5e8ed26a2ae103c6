import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import type { KubeObject } from './kustomize.js';

/**
 * A kubernetes-models class: its API version and kind, and a constructor whose objects validate.
 * Its data is `never` here: parsed YAML has no type until `validate()` has checked it.
 */
export interface ModelClass<T> {
  apiVersion: string;
  kind: string;
  new (data: never): T & { validate(): void };
}

// The API schemas the base may use; an object of any other kind fails the test until it is added.
const MODELS = [
  ConfigMap,
  Service,
  Deployment,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
  NetworkPolicy,
];

/** The kubernetes-models class for an object's apiVersion and kind, if the base may use it. */
export function modelFor(object: KubeObject): ModelClass<unknown> | undefined {
  return (MODELS as ModelClass<unknown>[]).find(
    (model) => model.apiVersion === object.apiVersion && model.kind === object.kind,
  );
}

/** Validates an object against its Kubernetes API schema (throws with the failing paths). */
export function validateObject(object: KubeObject): void {
  const Model = modelFor(object);
  if (!Model) throw new Error(`no API schema for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

/** The one object of `model`'s kind, validated and typed. */
export function theOne<T>(objects: KubeObject[], model: ModelClass<T>): T {
  const found = objects.filter(
    (object) => object.apiVersion === model.apiVersion && object.kind === model.kind,
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${model.kind}, found ${found.length}`);
  }
  const typed = new model(found[0] as never);
  typed.validate();
  return typed;
}

const BINARY_SUFFIXES: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

/** A memory quantity (`256Mi`) in bytes; decimal suffixes are refused, they are easy to misread. */
export function bytesOf(quantity: string | number | undefined): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(String(quantity));
  if (!match) throw new Error(`not a binary memory quantity: ${quantity}`);
  return Number(match[1]) * BINARY_SUFFIXES[match[2] ?? '']!;
}

/** Whether every label a selector asks for is on the pod. */
export function selects(
  selector: Record<string, string> | undefined,
  podLabels: Record<string, string> | undefined,
): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => podLabels?.[key] === value);
}
