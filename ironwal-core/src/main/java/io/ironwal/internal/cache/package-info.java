/**
 * Memory-bounded caches of the read path: decoded frames ({@link io.ironwal.internal.cache.BlockCache})
 * and sealed segments' frame indexes ({@link io.ironwal.internal.cache.IndexCache}).
 */
package io.ironwal.internal.cache;
