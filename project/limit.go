package project

// limiter bounds how many container operations of one command run at once (Compose's
// --parallel and COMPOSE_PARALLEL_LIMIT); a nil limiter bounds nothing.
type limiter chan struct{}

// newLimiter returns a limiter of n slots, nil (no bound) when n <= 0.
func newLimiter(n int) limiter {
	if n <= 0 {
		return nil
	}
	return make(limiter, n)
}

// do runs fn in a slot, waiting for one.
func (l limiter) do(fn func() error) error {
	if l == nil {
		return fn()
	}
	l <- struct{}{}
	defer func() { <-l }()
	return fn()
}

// slots is the run's limiter, made on first use from cfg.MaxConcurrency.
func (r *run) slots() limiter {
	r.slotsOnce.Do(func() { r.limit = newLimiter(r.cfg.MaxConcurrency) })
	return r.limit
}
