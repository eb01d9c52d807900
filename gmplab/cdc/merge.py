"""The TiCDC puller + sorter + sink as one Numba kernel: per-region events in, rows in
(commit_ts, start_ts) order out, released only up to the table's resolved ts.

Glossary
--------
PREWRITE   a Put/Delete lock applied in a region: start_ts, key, value (tikv cdc delegate.rs:
           sink_txn_put on CF_LOCK)
COMMIT     its commit record: start_ts, commit_ts, no value (CF_WRITE Put/Delete)
ROLLBACK   a rollback record: drop the prewrite
COMMITTED  a self-contained committed row from an incremental scan (initializer.rs)
RESOLVED   the region's resolved ts: every commit at or below it has been sent
frontier   the table's resolved ts = min over its regions (tiflow cdc/puller/frontier)

The approach
------------
Events arrive in one interleaved stream (each region's events in apply order, regions
interleaved by network delay). The kernel keeps

* a matcher: open-addressing hash table (region, start_ts, key) -> value, linear probing
  with backward-shift delete, grown in place (tiflow cdc/kv/matcher.go: putPrewriteRow,
  matchRow, rollbackRow) — a COMMIT takes its value from the PREWRITE;
* per-region resolved ts, advanced only forwards (shared_region_worker.go:
  forwardResolvedTsToPullerFrontier), and a segment tree whose root is the frontier
  (O(log R) per RESOLVED);
* a sorter of matched rows in (commit_ts, start_ts, key, input index) order — the Pebble
  sorter's key order (sorter/pebble encoding: EncodeKey), the input index breaking ties
  between duplicates. (commit_ts, start_ts, key) is packed into one int64 when the ranges
  present allow (checked at run time; otherwise fewer fields are packed and the rest is
  compared field by field). Two layouts, chosen at run time, same output:

  - *bucketed* (commit_ts dense: span < _BUCKET_SPAN x rows): one list per commit_ts
    value, each kept in (start_ts, key, input index) order; a release sweeps the buckets
    from the last released commit_ts up to the frontier — no comparisons between rows of
    different commit_ts at all;
  - *run* (otherwise): one sorted run; rows arrive nearly in key order, so each is
    inserted from the run's tail (at most _RUN_SHIFT places back); a release takes the
    run's prefix;

  plus, in both, a binary heap for the rows that fit neither (bucketed: a row arriving at
  or below the commit_ts already swept; run: a row far back). A release merges the heap
  with the buckets / run;
* on a frontier advance: emit every row with commit_ts <= frontier in that order, then the
  resolved marker; the sink flushes synchronously, so its checkpoint is that marker
  (sinkmanager table_sink_advancer / replication_manager AdvanceCheckpoint).

Performance notes. The hot helpers (slot hash, key packing, tie-breaks) are written out
inline in the kernel: Numba does not inline them on its own, and a call that passes an
array costs a refcount round trip (so does rebinding an array inside the event loop, hence
the table grows in place). Scratch arrays are reserved by the input's size but only
touched as far as used — except the matcher table, which reserves at most _TAB_RESERVE
slots: depending on the allocator's state, a big reservation makes malloc give the freed
memory back to the OS after each call, and the next call page-faults its outputs in again
(measured at 20k txns: ~1,430 instead of ~150 page faults per call, +1.5 ms). With more
prewrites pending at once than that allows, the kernel reruns with room for all of them.
The bucketed layout relies on the simulator's dense timestamps (a TSO counter); real TSOs
(physical ms << 18) would take the run layout.

Simplified: one table; no DDL barriers; no "COMMIT before INITIALIZED" cache (a rescan's
COMMITTED rows are simply rows); the sanity panic on a commit at or below the region's
resolved ts is not raised (the checker reports it instead, which is the point of the
"untracked lock" fault).
"""
from __future__ import annotations

import numpy as np
from numba import njit

OPS = ("prewrite", "commit", "rollback", "committed", "resolved", "initialized")
OP_PREWRITE, OP_COMMIT, OP_ROLLBACK, OP_COMMITTED, OP_RESOLVED, OP_INITIALIZED = range(6)

_TAB0 = 1024                     # matcher slots to start with (doubled in place when needed)
_TAB_RESERVE = 1 << 14           # matcher slots reserved up front (see merge_kernel)
_RUN_SHIFT = 64                  # run layout: a row further back than this goes to the heap
_RUN_COMPACT = 4096              # run layout: slide the run back once this much is consumed
_BUCKET_SPAN = 4                 # bucketed if commit_ts span < this x rows (+ 4096)
_HUGE = np.int64(1) << np.int64(61)        # a field span beyond this is never packed
_I64MAX = np.int64(0x7FFFFFFFFFFFFFFF)
_H1 = np.uint64(0x9E3779B97F4A7C15)        # slot hash multipliers: start_ts, key, region
_H2 = np.uint64(0xBF58476D1CE4E5B9)
_H3 = np.uint64(0x94D049BB133111EB)


# ---------------------------------------------------------------------------------------
# sort keys: (commit_ts, start_ts, key) packed into one int64 when the observed ranges allow

@njit(cache=True)
def _span_bits(lo, hi):
    """Bits needed for hi - lo (lo <= hi), or 64 when the span is too wide to pack."""
    if lo < -_HUGE or hi > _HUGE:
        return 64
    w = hi - lo
    b = 0
    while w > 0:
        w >>= 1
        b += 1
    return b


@njit(cache=True)
def _pack_plan(cmin, cmax, smin, smax, kmin, kmax):
    """(level, shift_ct, shift_st): level 3 packs commit_ts|start_ts|key into one word,
    level 2 packs commit_ts|start_ts, level 1 keeps commit_ts; the rest of the key is
    compared field by field. Decided from the ranges actually present, never overflows."""
    bc = _span_bits(cmin, cmax)
    bs = _span_bits(smin, smax)
    bk = _span_bits(kmin, kmax)
    if bc + bs + bk <= 62:
        return 3, bs + bk, bk
    if bc + bs <= 62:
        return 2, bs, 0
    return 1, 0, 0


@njit(cache=True)
def _pack(level, ct, st, k, cmin, smin, kmin, sc, ss):
    """The packed sort word (the kernel's hot path spells this out inline)."""
    if level == 3:
        return ((ct - cmin) << sc) | ((st - smin) << ss) | (k - kmin)
    if level == 2:
        return ((ct - cmin) << sc) | (st - smin)
    return ct


@njit(cache=True)
def _tie(ia, ib, level, start_ts, key):
    """Rows ia, ib (input indices) with equal packed words: ia sorts first? The fields not
    in the word, then the input index."""
    if level < 3:
        if level < 2 and start_ts[ia] != start_ts[ib]:
            return start_ts[ia] < start_ts[ib]
        if key[ia] != key[ib]:
            return key[ia] < key[ib]
    return ia < ib


# ---------------------------------------------------------------------------------------
# matcher: open addressing, linear probing, backward-shift delete; rows region|st|key|value
# (region -1 = empty slot)

@njit(cache=True)
def _slot(tab, mask, region, start_ts, key):
    """(slot, found): the slot holding the entry, else the empty slot ending its chain.
    (The kernel's hot paths spell this out inline.)"""
    h = np.uint64(start_ts) * _H1 ^ np.uint64(key) * _H2 ^ np.uint64(region) * _H3
    i = np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))
    while True:
        if tab[i, 0] == -1:
            return i, False
        if tab[i, 0] == region and tab[i, 1] == start_ts and tab[i, 2] == key:
            return i, True
        i = (i + 1) & mask


@njit(cache=True)
def _grow(tab, tmp, size):
    """Double the table in place, [0, size) -> [0, 2 * size) (tab has room; tmp holds the
    live entries meanwhile). In place, so the kernel never rebinds an array in its loop
    (that costs a refcount round trip per iteration)."""
    m = 0
    for j in range(size):
        if tab[j, 0] != -1:
            for c in range(4):
                tmp[m, c] = tab[j, c]
            m += 1
    size *= 2
    mask = size - 1
    for j in range(size):
        tab[j, 0] = -1
    for j in range(m):
        s, _f = _slot(tab, mask, tmp[j, 0], tmp[j, 1], tmp[j, 2])
        for c in range(4):
            tab[s, c] = tmp[j, c]


@njit(cache=True)
def _heap_push(hk, hi, hv, nh, xk, xi, xv, level, start_ts, key):
    """Push (packed key, input index, value) onto the heap hk/hi/hv[:nh] (sift up)."""
    c = nh
    while c > 0:
        par = (c - 1) >> 1
        pk = hk[par]
        if xk < pk or (xk == pk and _tie(xi, hi[par], level, start_ts, key)):
            hk[c] = pk
            hi[c] = hi[par]
            hv[c] = hv[par]
            c = par
        else:
            break
    hk[c] = xk
    hi[c] = xi
    hv[c] = xv


@njit(cache=True)
def _heap_pop(hk, hi, hv, nh, level, start_ts, key):
    """Remove the top of the heap hk/hi/hv[:nh + 1], leaving nh entries (Floyd: the hole
    goes down to a leaf, the last entry sifts up from there)."""
    if nh == 0:
        return
    xk, xi, xv = hk[nh], hi[nh], hv[nh]
    c = 0
    while True:
        lft = 2 * c + 1
        if lft >= nh:
            break
        if lft + 1 < nh:
            k1 = hk[lft + 1]
            k0 = hk[lft]
            if k1 < k0 or (k1 == k0 and _tie(hi[lft + 1], hi[lft], level, start_ts, key)):
                lft += 1
        hk[c] = hk[lft]
        hi[c] = hi[lft]
        hv[c] = hv[lft]
        c = lft
    _heap_push(hk, hi, hv, c, xk, xi, xv, level, start_ts, key)   # sift up from the hole


# ---------------------------------------------------------------------------------------
# the kernel

@njit(cache=True)
def merge_kernel(region, op, key, start_ts, commit_ts, value, n_regions):
    """Run the puller/sorter/sink over arrival-ordered events. Returns
    (rows[n, 6]: commit_ts, start_ts, key, value, region, input index;
     markers[m, 3]: resolved ts, rows emitted before it, input index;
     frontier[n_events]: the table's resolved ts after each input event)."""
    n = region.shape[0]
    # sizes, and the ranges of the sort-key fields (branch-free loops: they vectorize)
    n_pre = np.int64(0)
    n_rows = np.int64(0)
    n_res = np.int64(0)
    for i in range(n):
        o = op[i]
        n_rows += np.int64((o == OP_COMMIT) | (o == OP_COMMITTED))
        n_pre += np.int64(o == OP_PREWRITE)
        n_res += np.int64(o == OP_RESOLVED)
    cmin = smin = kmin = _I64MAX
    cmax = smax = kmax = -_I64MAX
    for i in range(n):
        o = op[i]
        isrow = (o == OP_COMMIT) | (o == OP_COMMITTED)
        x = commit_ts[i]
        xl = x if isrow else _I64MAX
        xh = x if isrow else -_I64MAX
        cmin = xl if xl < cmin else cmin
        cmax = xh if xh > cmax else cmax
        x = start_ts[i]
        xl = x if isrow else _I64MAX
        xh = x if isrow else -_I64MAX
        smin = xl if xl < smin else smin
        smax = xh if xh > smax else smax
        x = key[i]
        xl = x if isrow else _I64MAX
        xh = x if isrow else -_I64MAX
        kmin = xl if xl < kmin else kmin
        kmax = xh if xh > kmax else kmax
    if n_rows == 0:
        cmin = smin = kmin = cmax = smax = kmax = np.int64(0)
    # matcher table capacity: room for every prewrite at load <= 1/2 would be 2 * n_pre
    # slots; reserve at most _TAB_RESERVE (a big reservation makes malloc give the outputs
    # back to the OS between calls, so every call page-faults them in again) and rerun
    # with the full room in the rare case that more prewrites are pending at once
    full = np.int64(4)
    while full < 2 * n_pre + 4:
        full *= 2
    cap = min(full, np.int64(_TAB_RESERVE))
    level, sc, ss = _pack_plan(cmin, cmax, smin, smax, kmin, kmax)
    bucketed = n_rows > 0 and _span_bits(cmin, cmax) < 40 \
        and cmax - cmin < _BUCKET_SPAN * n_rows + 4096
    for attempt in range(2):
        if attempt == 1:
            cap = full
        ok = True
        # matcher: only [0, size) is in use
        size = min(np.int64(_TAB0), cap)
        mask = size - 1
        tab = np.empty((cap, 4), dtype=np.int64)
        tmp = np.empty((cap // 2 + 1, 4), dtype=np.int64)
        for j in range(size):
            tab[j, 0] = -1
        live = np.int64(0)
        # segment tree over region resolved ts: root = frontier
        leaves = 1
        while leaves < n_regions:
            leaves *= 2
        seg = np.full(2 * leaves, np.int64(1) << np.int64(62), dtype=np.int64)
        for r in range(n_regions):
            seg[leaves + r] = 0
        for i in range(leaves - 1, 0, -1):
            seg[i] = min(seg[2 * i], seg[2 * i + 1])
        # bucketed: head[commit_ts - cmin] -> list of nodes (bi input index, bv value, bn next)
        # in (start_ts, key, input index) order; buckets up to commit_ts `swept` are released.
        # Released nodes go on a free stack, so only as many nodes as rows pending are touched.
        head = np.full(cmax - cmin + 1 if bucketed else 1, -1, dtype=np.int64)
        nb = n_rows if bucketed else 1
        bi = np.empty(nb, dtype=np.int64)
        bv = np.empty(nb, dtype=np.int64)
        bn = np.empty(nb, dtype=np.int64)
        free = np.empty(nb, dtype=np.int64)
        nfree = np.int64(0)
        fresh = np.int64(0)
        swept = cmin - 1
        # run: [rh, rt) of (packed key, input index, value) in order
        nrun = 1 if bucketed else n_rows
        rk = np.empty(nrun, dtype=np.int64)
        ri = np.empty(nrun, dtype=np.int64)
        rv = np.empty(nrun, dtype=np.int64)
        rh = np.int64(0)
        rt = np.int64(0)
        # heap (both layouts) of (packed key, input index, value)
        hk = np.empty(n_rows, dtype=np.int64)
        hi = np.empty(n_rows, dtype=np.int64)
        hv = np.empty(n_rows, dtype=np.int64)
        nh = np.int64(0)
        rows = np.empty((n_rows, 6), dtype=np.int64)
        nr = np.int64(0)
        markers = np.empty((n_res, 3), dtype=np.int64)
        nm = np.int64(0)
        front = np.empty(n, dtype=np.int64)
        frontier = np.int64(0)
        for i in range(n):
            o = op[i]
            r = region[i]
            st = start_ts[i]
            k = key[i]
            s = 0
            found = False
            if o == OP_PREWRITE or o == OP_COMMIT or o == OP_ROLLBACK:
                # the matcher's slot for (region, start_ts, key)
                h = np.uint64(st) * _H1 ^ np.uint64(k) * _H2 ^ np.uint64(r) * _H3
                s = np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))
                while True:
                    t0 = tab[s, 0]
                    if t0 == -1:
                        break
                    if t0 == r and tab[s, 1] == st and tab[s, 2] == k:
                        found = True
                        break
                    s = (s + 1) & mask
            if o == OP_PREWRITE:
                # delegate.rs sink_txn_put (CF_LOCK) -> matcher.go: putPrewriteRow
                if not found:
                    if 2 * (live + 1) > size:             # keep the load factor <= 1/2
                        if size == cap:
                            ok = False
                            break
                        _grow(tab, tmp, size)
                        size *= 2
                        mask = size - 1
                        s, found = _slot(tab, mask, r, st, k)
                    live += 1
                tab[s, 0] = r
                tab[s, 1] = st
                tab[s, 2] = k
                tab[s, 3] = value[i]
            elif o == OP_COMMIT or o == OP_COMMITTED or o == OP_ROLLBACK:
                v = value[i]
                if found:
                    # matcher.go: matchRow (COMMIT) / rollbackRow (ROLLBACK) take the prewrite out
                    v = tab[s, 3]
                    # delete; shift the rest of the probe chain back (no tombstones)
                    tab[s, 0] = -1
                    j = (s + 1) & mask
                    while tab[j, 0] != -1:
                        k0, k1, k2, k3 = tab[j, 0], tab[j, 1], tab[j, 2], tab[j, 3]
                        tab[j, 0] = -1
                        h = np.uint64(k1) * _H1 ^ np.uint64(k2) * _H2 ^ np.uint64(k0) * _H3
                        s2 = np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))
                        while tab[s2, 0] != -1:
                            s2 = (s2 + 1) & mask
                        tab[s2, 0] = k0
                        tab[s2, 1] = k1
                        tab[s2, 2] = k2
                        tab[s2, 3] = k3
                        j = (j + 1) & mask
                    live -= 1
                if o != OP_ROLLBACK:
                    # matcher.go: matchRow -> RawKVEntry into the sorter (pebble EncodeKey order)
                    ct = commit_ts[i]
                    if level == 3:
                        xk = ((ct - cmin) << sc) | ((st - smin) << ss) | (k - kmin)
                    elif level == 2:
                        xk = ((ct - cmin) << sc) | (st - smin)
                    else:
                        xk = ct
                    placed = False
                    if bucketed:
                        if ct > swept:
                            # into bucket ct, after the rows of equal or smaller (start_ts, key)
                            b = ct - cmin
                            q = head[b]
                            prev = -1
                            while q != -1:
                                iq = bi[q]
                                if start_ts[iq] < st or (start_ts[iq] == st and key[iq] <= k):
                                    prev = q
                                    q = bn[q]
                                else:
                                    break
                            if nfree > 0:
                                nfree -= 1
                                p = free[nfree]
                            else:
                                p = fresh
                                fresh += 1
                            bi[p] = i
                            bv[p] = v
                            bn[p] = q
                            if prev == -1:
                                head[b] = p
                            else:
                                bn[prev] = p
                            placed = True
                    else:
                        # into the run from its tail, if it belongs at most _RUN_SHIFT back
                        j = rt
                        while j > rh:
                            pk = rk[j - 1]
                            before = xk < pk
                            if xk == pk:              # equal words: the fields not packed
                                ij = ri[j - 1]
                                if level < 2 and st != start_ts[ij]:
                                    before = st < start_ts[ij]
                                elif level < 3 and k != key[ij]:
                                    before = k < key[ij]
                                else:
                                    before = False    # ij < i: an equal row stays first
                            if before:
                                j -= 1
                                if rt - j > _RUN_SHIFT:
                                    break
                            else:
                                break
                        if rt - j <= _RUN_SHIFT:
                            for q in range(rt, j, -1):
                                rk[q] = rk[q - 1]
                                ri[q] = ri[q - 1]
                                rv[q] = rv[q - 1]
                            rk[j] = xk
                            ri[j] = i
                            rv[j] = v
                            rt += 1
                            placed = True
                    if not placed:
                        _heap_push(hk, hi, hv, nh, xk, i, v, level, start_ts, key)
                        nh += 1
            elif o == OP_RESOLVED:
                # shared_region_worker.go: forwardResolvedTsToPullerFrontier (never backwards)
                leaf = leaves + r
                if commit_ts[i] > seg[leaf]:
                    seg[leaf] = commit_ts[i]
                    j = leaf >> 1
                    while j >= 1:
                        a, b = seg[2 * j], seg[2 * j + 1]
                        m = a if a < b else b
                        if seg[j] == m:
                            break
                        seg[j] = m
                        j >>= 1
                    # cdc/puller/frontier: table resolved ts = min over regions, on increase only
                    if seg[1] > frontier:
                        frontier = seg[1]
                        # sorter: release every row with commit_ts <= frontier, in key order.
                        # kthr: the largest packed word with commit_ts <= frontier
                        if level == 1:
                            kthr = frontier
                        elif frontier >= cmax:
                            kthr = _I64MAX
                        elif frontier < cmin:
                            kthr = np.int64(-1)
                        else:
                            kthr = ((frontier - cmin + 1) << sc) - 1
                        lim = frontier if frontier < cmax else cmax
                        q = -1
                        while True:
                            # next row: the heap's top (bucketed: heap rows lie below every
                            # bucket still to sweep), else the next bucket node / the run's head
                            src = 0
                            if nh > 0 and hk[0] <= kthr:
                                src = 1
                            if bucketed:
                                if src == 0:
                                    while q == -1 and swept < lim:
                                        swept += 1
                                        q = head[swept - cmin]
                                    if q != -1:
                                        src = 3
                            elif rh < rt and rk[rh] <= kthr:
                                if src == 0:
                                    src = 2
                                else:
                                    a, b = rk[rh], hk[0]
                                    if a < b or (a == b and _tie(ri[rh], hi[0], level, start_ts, key)):
                                        src = 2
                            if src == 0:
                                break
                            if src == 3:
                                ii = bi[q]
                                vv = bv[q]
                                free[nfree] = q
                                nfree += 1
                                q = bn[q]
                            elif src == 2:
                                ii = ri[rh]
                                vv = rv[rh]
                                rh += 1
                            else:
                                ii = hi[0]
                                vv = hv[0]
                                nh -= 1
                                _heap_pop(hk, hi, hv, nh, level, start_ts, key)
                            rows[nr, 0] = commit_ts[ii]
                            rows[nr, 1] = start_ts[ii]
                            rows[nr, 2] = key[ii]
                            rows[nr, 3] = vv
                            rows[nr, 4] = region[ii]
                            rows[nr, 5] = ii
                            nr += 1
                        if rh >= _RUN_COMPACT and 2 * rh >= rt:    # slide the run back to the front
                            for q in range(rh, rt):
                                rk[q - rh] = rk[q]
                                ri[q - rh] = ri[q]
                                rv[q - rh] = rv[q]
                            rt -= rh
                            rh = 0
                        # table_sink_advancer: the sink flushes, its checkpoint is the marker
                        markers[nm, 0] = frontier
                        markers[nm, 1] = nr
                        markers[nm, 2] = i
                        nm += 1
            front[i] = frontier
        if ok:
            return rows[:nr], markers[:nm], front
    return rows[:0], markers[:0], front          # not reached: the second attempt has room


# ---------------------------------------------------------------------------------------
# benchmark helper: k-way merge of sorted runs with a loser tree

@njit(cache=True)
def _run_tie(a, b, pos, end, level, commit_ts, start_ts, key):
    """Run heads with equal packed words: exhausted runs last, then the unpacked fields,
    then the run index (lower first: the merge is stable)."""
    ea = pos[a] >= end[a]
    eb = pos[b] >= end[b]
    if ea or eb:
        if ea and eb:
            return a < b
        return eb
    if level < 3:
        pa, pb = pos[a], pos[b]
        if level < 2 and start_ts[pa] != start_ts[pb]:
            return start_ts[pa] < start_ts[pb]
        if key[pa] != key[pb]:
            return key[pa] < key[pb]
    return a < b


@njit(cache=True)
def kway_merge(run_start, commit_ts, start_ts, key):
    """Merge runs already sorted by (commit_ts, start_ts, key) with a loser tree over the
    run heads (one comparison per level per row; equal rows: lower run first, so the
    result is the stable sort); returns the permutation. The same job heapq.merge does,
    for the benchmark."""
    nrun = run_start.shape[0] - 1
    n = commit_ts.shape[0]
    out = np.zeros(n, dtype=np.int64)
    if nrun <= 0 or n == 0:
        return out
    cmin = cmax = commit_ts[0]
    smin = smax = start_ts[0]
    kmin = kmax = key[0]
    for i in range(n):
        x = commit_ts[i]
        cmin = x if x < cmin else cmin
        cmax = x if x > cmax else cmax
        x = start_ts[i]
        smin = x if x < smin else smin
        smax = x if x > smax else smax
        x = key[i]
        kmin = x if x < kmin else kmin
        kmax = x if x > kmax else kmax
    level, sc, ss = _pack_plan(cmin, cmax, smin, smax, kmin, kmax)
    big = _I64MAX
    K = 1
    while K < nrun:
        K *= 2
    pos = np.zeros(K, dtype=np.int64)
    end = np.zeros(K, dtype=np.int64)
    hk = np.full(K, big, dtype=np.int64)
    total = 0
    for r in range(nrun):
        pos[r] = run_start[r]
        end[r] = run_start[r + 1]
        if pos[r] < end[r]:
            p = pos[r]
            hk[r] = _pack(level, commit_ts[p], start_ts[p], key[p], cmin, smin, kmin, sc, ss)
            total += end[r] - pos[r]
    # build: win[] = winners bottom-up, tree[] = the loser kept at each internal node
    win = np.empty(2 * K, dtype=np.int64)
    for r in range(K):
        win[K + r] = r
    tree = np.empty(K, dtype=np.int64)
    for node in range(K - 1, 0, -1):
        a, b = win[2 * node], win[2 * node + 1]
        if hk[b] < hk[a] or (hk[b] == hk[a] and _run_tie(b, a, pos, end, level, commit_ts, start_ts, key)):
            win[node] = b
            tree[node] = a
        else:
            win[node] = a
            tree[node] = b
    w = win[1]
    for i in range(min(total, n)):
        p = pos[w]
        out[i] = p
        p += 1
        pos[w] = p
        if p < end[w]:
            if level == 3:
                hk[w] = ((commit_ts[p] - cmin) << sc) | ((start_ts[p] - smin) << ss) | (key[p] - kmin)
            elif level == 2:
                hk[w] = ((commit_ts[p] - cmin) << sc) | (start_ts[p] - smin)
            else:
                hk[w] = commit_ts[p]
        else:
            hk[w] = big
        kw = hk[w]
        node = (K + w) >> 1
        while node >= 1:                  # replay: the stored loser meets the new head
            t = tree[node]
            kt = hk[t]
            if kt < kw or (kt == kw and _run_tie(t, w, pos, end, level, commit_ts, start_ts, key)):
                tree[node] = w
                w = t
                kw = kt
            node >>= 1
    return out


def warmup() -> None:
    """Compile merge_kernel and kway_merge on a two-region toy stream."""
    i64 = lambda *x: np.array(x, dtype=np.int64)  # noqa: E731
    merge_kernel(i64(0, 1, 0, 1, 0, 1), i64(OP_PREWRITE, OP_PREWRITE, OP_COMMIT, OP_COMMIT,
                                             OP_RESOLVED, OP_RESOLVED),
                 i64(0, 1, 0, 1, -1, -1), i64(1, 2, 1, 2, 0, 0), i64(0, 0, 4, 3, 9, 9),
                 i64(5, 6, 0, 0, 0, 0), np.int64(2))
    kway_merge(i64(0, 1, 2), i64(3, 4), i64(1, 2), i64(0, 1))
