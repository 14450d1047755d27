package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultWarmBatch is the pipeline size Warm uses when WarmOptions.BatchSize
// is zero.
const DefaultWarmBatch = 500

// WarmOptions configures Warm.
type WarmOptions struct {
	// TTL of the warmed values; zero or less means the Cache's DefaultTTL.
	// Jitter applies per value, which matters here more than anywhere:
	// values warmed together would otherwise expire together.
	TTL time.Duration
	// BatchSize is how many SETs go in one pipeline (one round trip).
	// Zero: DefaultWarmBatch.
	BatchSize int
	// OnlyMissing stores with SET NX, keeping values already cached (they
	// may be fresher than the warm-up's source). Entries skipped this way
	// are counted in WarmProgress.Skipped.
	OnlyMissing bool
	// Progress, if set, is called after every batch with the running
	// totals, from the goroutine that called Warm.
	Progress func(WarmProgress)
}

// WarmProgress is Warm's running totals.
type WarmProgress struct {
	// Batches is the number of pipelines sent.
	Batches int
	// Written is the number of values stored.
	Written int
	// Skipped is the number of values not stored because the key was
	// already cached (OnlyMissing).
	Skipped int
	// Failed is the number of values not stored because they could not be
	// encoded or the server rejected them.
	Failed int
}

// Warm loads entries (key, value) into the cache in pipelined batches of
// WarmOptions.BatchSize SETs, each one round trip, and returns the totals.
//
// Errors that concern one entry (a value the codec cannot encode, a SET the
// server rejects) are counted in Failed and do not stop the warm-up; the
// first is returned, wrapped, with the totals. An error that concerns the
// connection (the server unreachable) or ctx ending stops it: the totals
// then say how far it got. Each batch is one call under Options.Timeout and
// the circuit breaker (size BatchSize so that a batch fits in the Timeout),
// and Warm stops with ErrCircuitOpen as soon as the breaker is open: a
// warm-up is not worth hammering a failing server for. On Redis Cluster the
// client splits each pipeline by node.
func Warm[V any](ctx context.Context, c *Cache, entries iter.Seq2[string, V], opts WarmOptions) (WarmProgress, error) {
	size := opts.BatchSize
	if size <= 0 {
		size = DefaultWarmBatch
	}
	var (
		prog     WarmProgress
		firstErr error
		keys     = make([]string, 0, size)
		vals     = make([][]byte, 0, size)
	)
	fail := func(err error) {
		prog.Failed++
		if firstErr == nil {
			firstErr = err
		}
	}
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		cmds := make([]redis.Cmder, len(keys))
		err := c.call(ctx, func(ctx context.Context) error {
			_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i, k := range keys {
					ttl := c.ttl(opts.TTL)
					if opts.OnlyMissing {
						cmds[i] = p.SetNX(ctx, c.key(k), vals[i], ttl)
					} else {
						cmds[i] = p.Set(ctx, c.key(k), vals[i], ttl)
					}
				}
				return nil
			})
			return err
		})
		if err == ErrCircuitOpen {
			return err // nothing sent
		}
		prog.Batches++
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			var rerr redis.Error
			if !errors.As(err, &rerr) {
				return err // the connection, not an entry: stop
			}
		}
		for i, cmd := range cmds {
			switch cmd := cmd.(type) {
			case *redis.BoolCmd: // SET NX
				ok, err := cmd.Result()
				switch {
				case err != nil:
					fail(fmt.Errorf("cache: warm %q: %w", keys[i], err))
				case ok:
					prog.Written++
				default:
					prog.Skipped++
				}
			default:
				if err := cmd.Err(); err != nil {
					fail(fmt.Errorf("cache: warm %q: %w", keys[i], err))
				} else {
					prog.Written++
				}
			}
		}
		if err := c.PublishInvalidation(ctx, keys...); err != nil {
			c.report(ctx, "publish", "", err)
		}
		keys, vals = keys[:0], vals[:0]
		if opts.Progress != nil {
			opts.Progress(prog)
		}
		return nil
	}

	for k, v := range entries {
		if err := ctx.Err(); err != nil {
			return prog, err
		}
		data, err := c.codec.Marshal(v)
		if err == nil && bytes.Equal(data, negativeMarker) {
			err = errors.New("value collides with the negative marker")
		}
		if err != nil {
			fail(fmt.Errorf("cache: encode %q: %w", k, err))
			continue
		}
		keys = append(keys, k)
		vals = append(vals, data)
		if len(keys) == size {
			if err := flush(); err != nil {
				return prog, err
			}
		}
	}
	if err := flush(); err != nil {
		return prog, err
	}
	return prog, firstErr
}

// WarmMap is Warm over a map, in the map's (random) order.
func WarmMap[V any](ctx context.Context, c *Cache, m map[string]V, opts WarmOptions) (WarmProgress, error) {
	return Warm(ctx, c, func(yield func(string, V) bool) {
		for k, v := range m {
			if !yield(k, v) {
				return
			}
		}
	}, opts)
}
