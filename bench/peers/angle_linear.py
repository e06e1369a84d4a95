#!/usr/bin/env python3
"""The PyTorch peer of `npm run bench -- heads`: what an A-Softmax head costs against nn.Linear.

Times one forward and backward pass plus an SGD step of the head alone, on fixed embeddings, at
B = 256, D = 512 and C in {10, 1000, 10575}, for three heads:

- linear:       nn.Linear(D, C, bias=False) with cross-entropy, the baseline;
- angle_all:    the head as the common PyTorch port (sphereface-pytorch's AngleLinear + AngleLoss)
                computes it: cos theta and psi(theta) = (-1)^k cos(m theta) - 2k over all B x C
                entries (Chebyshev T_m of cos theta, k from floor(m acos(cos theta) / pi)), then the
                target entries mixed with lambda;
- angle_target: the same logits with psi evaluated only at the B target entries (gather, then
                scatter back), as tfjs-angular-margin computes them.

Heads are timed interleaved (round-robin, order rotated every round) so that a shared machine's
drift falls on all alike; medians and the ratio of each head to `linear` come from the same rounds.
On CUDA every step ends with torch.cuda.synchronize().

Usage: python3 bench/peers/angle_linear.py [--device cuda|cpu] [--classes 10,1000,10575]
           [--runs 30] [--warmup 5] [--out DIR]
Writes DIR/peer-pytorch-<device>.json and .md (default DIR: bench/results).
"""
import argparse
import json
import math
import os
import platform
import statistics
import time

import torch
import torch.nn.functional as F

M = 4          # the angular margin, as in the tfjs benchmark
LAMBDA = 5.0   # lambda at its floor: the late-training cost (the value does not change the work)


def psi_all(cos):
    """psi over every entry: Chebyshev T_4 of cos theta, k from acos, as the common port does."""
    cos_m = 8 * cos ** 4 - 8 * cos ** 2 + 1
    k = torch.floor(M * torch.acos(cos.detach()) / math.pi)
    sign = 1 - 2 * torch.remainder(k, 2)
    return sign * cos_m - 2 * k


class AngleHead(torch.nn.Module):
    """Normalized class weights, no bias; target logit (lambda |x| cos + |x| psi) / (1 + lambda)."""

    def __init__(self, dim, classes, target_only):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(dim, classes).uniform_(-1, 1))
        self.target_only = target_only

    def forward(self, x, labels):
        w = F.normalize(self.weight, dim=0)
        xlen = x.norm(dim=1, keepdim=True).clamp_min(1e-6)
        cos = (x @ w / xlen).clamp(-1, 1)
        target = labels.view(-1, 1)
        if self.target_only:
            cos_t = cos.gather(1, target)
            mixed = (LAMBDA * cos_t + psi_all(cos_t)) / (1 + LAMBDA)
            return (cos.scatter(1, target, mixed)) * xlen
        mask = torch.zeros_like(cos).scatter_(1, target, 1.0)
        mixed = (LAMBDA * cos + psi_all(cos)) / (1 + LAMBDA)
        return (cos + mask * (mixed - cos)) * xlen


def make_heads(dim, classes, device):
    heads = {
        'linear': torch.nn.Linear(dim, classes, bias=False),
        'angle_all': AngleHead(dim, classes, target_only=False),
        'angle_target': AngleHead(dim, classes, target_only=True),
    }
    out = {}
    for name, head in heads.items():
        head.to(device)
        forward = (lambda x, y, h=head: h(x)) if name == 'linear' else head
        out[name] = (forward, torch.optim.SGD(head.parameters(), lr=0.01))
    return out


def cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            return next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        return platform.machine()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--classes', default='10,1000,10575')
    parser.add_argument('--batch', type=int, default=256)
    parser.add_argument('--dim', type=int, default=512)
    parser.add_argument('--runs', type=int, default=30)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'results'))
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(1)
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    where = torch.cuda.get_device_name(device) if device.type == 'cuda' else f'{cpu_name()}, {torch.get_num_threads()} threads'
    print(f'torch {torch.__version__} on {args.device}: {where}')

    rows = []
    for classes in [int(c) for c in args.classes.split(',')]:
        x = torch.randn(args.batch, args.dim, device=device)
        labels = torch.randint(0, classes, (args.batch,), device=device)
        heads = make_heads(args.dim, classes, device)

        def step(name):
            forward, opt = heads[name]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(forward(x, labels), labels)
            loss.backward()
            opt.step()
            sync()
            return loss.item()

        names = list(heads)
        for name in names:
            for _ in range(args.warmup):
                assert math.isfinite(step(name))
        times = {name: [] for name in names}
        for r in range(args.runs):
            for i in range(len(names)):
                name = names[(i + r) % len(names)]
                t = time.perf_counter()
                step(name)
                times[name].append((time.perf_counter() - t) * 1000)
        base = statistics.median(times['linear'])
        for name in names:
            ms = statistics.median(times[name])
            rows.append({'classes': classes, 'head': name, 'medianMs': ms, 'ratioToLinear': ms / base, 'times': times[name]})
            print(f'C={classes:>6} {name:<13} {ms:9.3f} ms  x{ms / base:.2f}')

    info = {'torch': torch.__version__, 'device': args.device, 'hardware': where, 'batch': args.batch, 'dim': args.dim,
            'margin': M, 'lambda': LAMBDA, 'runs': args.runs, 'warmup': args.warmup, 'python': platform.python_version()}
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, f'peer-pytorch-{device.type}')
    with open(stem + '.json', 'w') as f:
        json.dump({**info, 'rows': rows}, f, indent=2)
        f.write('\n')
    md = [f'PyTorch {torch.__version__} on {where}: head step (forward, backward, SGD) at B = {args.batch}, '
          f'D = {args.dim}, m = {M}; median of {args.runs} interleaved rounds after {args.warmup} warm-up steps.', '',
          '| C | head | median ms | x linear |', '| ---: | --- | ---: | ---: |']
    md += [f"| {r['classes']} | {r['head']} | {r['medianMs']:.3f} | {r['ratioToLinear']:.2f} |" for r in rows]
    with open(stem + '.md', 'w') as f:
        f.write('\n'.join(md) + '\n')
    print('\n'.join(md))


if __name__ == '__main__':
    main()
