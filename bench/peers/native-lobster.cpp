// The native scale reference for LOBSTER replay: the job of tardis-lobster.ts (same rules, same output,
// byte for byte) written as tight C++ — the kind of program the core issue's "native C++ hash-map
// replayer" figure describes. The benchmark runs it beside flowmine in the same run, so that flowmine's
// speed can be read as a share of native speed on whatever day the machine has.
//
// Orders live in an open-addressing hash map (linear probing, backward-shift deletion); each side's levels
// in one sorted array with the best level at the end; input is read in 1 MiB blocks and parsed by hand;
// output is formatted by hand into a 1 MiB buffer. With ORDERBOOK_FILE "-" the orderbook file is not read
// and no level is corrected from it (messages only: less work, a different output).
//
// Usage: native-lobster MESSAGE_FILE ORDERBOOK_FILE|- OUT_CSV|- BASE_EPOCH_SECONDS
// (bench/native.ts builds it with g++ -O2.)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what, const char* detail) {
  std::fprintf(stderr, "native-lobster: %s: %s\n", what, detail);
  std::exit(1);
}

/** Lines of a file, read in 1 MiB blocks; a line never spans a refill (the rest moves to the front). */
class LineReader {
 public:
  explicit LineReader(const char* path) : fd_(open(path, O_RDONLY)), buffer_(1 << 20) {
    if (fd_ < 0) fail("cannot open", path);
  }
  ~LineReader() { close(fd_); }

  /** The next line without its end, in [*begin, *end); false at the end of the file. */
  bool next(const char** begin, const char** end) {
    for (;;) {
      const char* newline = static_cast<const char*>(std::memchr(buffer_.data() + pos_, '\n', filled_ - pos_));
      if (newline != nullptr) {
        *begin = buffer_.data() + pos_;
        *end = newline;
        pos_ = newline - buffer_.data() + 1;
        return true;
      }
      if (eof_) {
        if (pos_ == filled_) return false;
        *begin = buffer_.data() + pos_;
        *end = buffer_.data() + filled_;
        pos_ = filled_;
        return true;
      }
      std::memmove(buffer_.data(), buffer_.data() + pos_, filled_ - pos_);
      filled_ -= pos_;
      pos_ = 0;
      if (filled_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
      const ssize_t got = read(fd_, buffer_.data() + filled_, buffer_.size() - filled_);
      if (got < 0) fail("read", "error");
      if (got == 0) eof_ = true;
      filled_ += static_cast<size_t>(got);
    }
  }

 private:
  int fd_;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t filled_ = 0;
  bool eof_ = false;
};

/** A signed integer at *at, which moves past it and the comma after it. */
inline int64_t integer(const char*& at) {
  bool negative = *at == '-';
  if (negative) at++;
  int64_t value = 0;
  while (static_cast<unsigned>(*at - '0') < 10) value = value * 10 + (*at++ - '0');
  if (*at == ',') at++;
  return negative ? -value : value;
}

/** A resting order: its level's price, its size and side, and its place in its level's list of orders. */
struct Order {
  int64_t id;
  int64_t price;
  int64_t size;
  int32_t side;
  int32_t prev;
  int32_t next;
};

/** Order slots by id: open addressing with linear probing; deletion shifts the probe chain back (no tombstones). */
class OrderIndex {
 public:
  OrderIndex() : ids_(1 << 12), slots_(1 << 12, -1) {}

  int32_t find(int64_t id) const {
    for (size_t at = home(id);; at = (at + 1) & mask()) {
      if (slots_[at] < 0) return -1;
      if (ids_[at] == id) return slots_[at];
    }
  }

  void put(int64_t id, int32_t slot) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    size_t at = home(id);
    while (slots_[at] >= 0 && ids_[at] != id) at = (at + 1) & mask();
    if (slots_[at] < 0) count_++;
    ids_[at] = id;
    slots_[at] = slot;
  }

  void erase(int64_t id) {
    size_t hole = home(id);
    while (ids_[hole] != id || slots_[hole] < 0) hole = (hole + 1) & mask();
    slots_[hole] = -1;
    count_--;
    for (size_t at = (hole + 1) & mask(); slots_[at] >= 0; at = (at + 1) & mask()) {
      const size_t want = home(ids_[at]);
      // Moves back an entry whose home is not in (hole, at]: it was placed past the hole.
      if (((at - want) & mask()) >= ((at - hole) & mask())) {
        ids_[hole] = ids_[at];
        slots_[hole] = slots_[at];
        slots_[at] = -1;
        hole = at;
      }
    }
  }

 private:
  size_t mask() const { return slots_.size() - 1; }
  size_t home(int64_t id) const { return (static_cast<uint64_t>(id) * 0x9E3779B97F4A7C15ull) >> (64 - shift_); }

  void grow() {
    std::vector<int64_t> ids(ids_.size() * 2);
    std::vector<int32_t> slots(slots_.size() * 2, -1);
    ids.swap(ids_);
    slots.swap(slots_);
    shift_++;
    count_ = 0;
    for (size_t k = 0; k < slots.size(); k++)
      if (slots[k] >= 0) put(ids[k], slots[k]);
  }

  std::vector<int64_t> ids_;
  std::vector<int32_t> slots_;
  size_t count_ = 0;
  int shift_ = 12;
};

/**
 * One side's levels, sorted so that the best is last (bids by price, asks by negated price), each with its
 * total size and the list of the orders resting there. A level that goes away takes its orders with it.
 */
class Levels {
 public:
  explicit Levels(int sign) : sign_(sign) {}

  bool empty() const { return keys_.empty(); }
  int64_t bestPrice() const { return keys_.back() * sign_; }
  int64_t bestSize() const { return sizes_.back(); }

  /** The rank of the level at `price`, or -1. */
  long find(int64_t price) const {
    const size_t at = rank(price * sign_);
    return at < keys_.size() && keys_[at] == price * sign_ ? static_cast<long>(at) : -1;
  }
  int64_t get(int64_t price) const {
    const long at = find(price);
    return at < 0 ? 0 : sizes_[at];
  }
  int32_t& head(long at) { return heads_[at]; }

  /** Sets the level at `price` to `size` (creating it); a size of zero or less removes it, calling drop(first order). */
  template <typename Drop>
  long set(int64_t price, int64_t size, Drop drop) {
    const int64_t key = price * sign_;
    const size_t at = rank(key);
    const bool present = at < keys_.size() && keys_[at] == key;
    if (size > 0) {
      if (present) sizes_[at] = size;
      else {
        keys_.insert(keys_.begin() + at, key);
        sizes_.insert(sizes_.begin() + at, size);
        heads_.insert(heads_.begin() + at, -1);
      }
      return static_cast<long>(at);
    }
    if (present) {
      drop(heads_[at]);
      keys_.erase(keys_.begin() + at);
      sizes_.erase(sizes_.begin() + at);
      heads_.erase(heads_.begin() + at);
    }
    return -1;
  }

 private:
  /** The first rank whose key is not below `key`. */
  size_t rank(int64_t key) const { return std::lower_bound(keys_.begin(), keys_.end(), key) - keys_.begin(); }

  int sign_;
  std::vector<int64_t> keys_;
  std::vector<int64_t> sizes_;
  std::vector<int32_t> heads_;
};

/** Orders by id, in the lists of their levels; level totals follow the messages and the orderbook rows. */
class Book {
 public:
  Levels bids{1}, asks{-1};

  void add(int64_t id, int64_t price, int64_t size, int side) {
    const int32_t existing = index_.find(id);
    if (existing >= 0) remove(existing);
    Levels& levels = side == 1 ? bids : asks;
    const long level = levels.set(price, levels.get(price) + size, [&](int32_t first) { dropAll(first); });
    if (level < 0) return;  // a size of zero or less: nothing rests
    const int32_t slot = allocate();
    orders_[slot] = Order{id, price, size, side, -1, -1};
    index_.put(id, slot);
    link(levels, level, slot);
  }

  /** A cancel (2), delete (3) or execution (4) of `size` at `price`: the order shrinks or leaves, and so does the level. */
  void reduce(int type, int64_t id, int64_t price, int64_t size, int side) {
    const int32_t slot = index_.find(id);
    if (slot >= 0) {
      orders_[slot].size -= size;
      if (type == 3 || orders_[slot].size <= 0) remove(slot);
    }
    adjust(side, price, -size);
  }

  /** Sets the level at `price` to `size` (zero or less: removes it with its orders). */
  void setLevel(int side, int64_t price, int64_t size) {
    (side == 1 ? bids : asks).set(price, size, [&](int32_t first) { dropAll(first); });
  }

 private:
  void adjust(int side, int64_t price, int64_t delta) {
    Levels& levels = side == 1 ? bids : asks;
    levels.set(price, levels.get(price) + delta, [&](int32_t first) { dropAll(first); });
  }

  void link(Levels& levels, long level, int32_t slot) {
    int32_t& head = levels.head(level);
    orders_[slot].next = head;
    if (head >= 0) orders_[head].prev = slot;
    head = slot;
  }

  /** Unlinks an order from its level's list and forgets it. */
  void remove(int32_t slot) {
    Order& order = orders_[slot];
    if (order.prev >= 0) orders_[order.prev].next = order.next;
    else {
      Levels& levels = order.side == 1 ? bids : asks;
      const long level = levels.find(order.price);
      if (level >= 0 && levels.head(level) == slot) levels.head(level) = order.next;
    }
    if (order.next >= 0) orders_[order.next].prev = order.prev;
    index_.erase(order.id);
    release(slot);
  }

  /** Forgets every order of a level's list (the level went away). */
  void dropAll(int32_t first) {
    for (int32_t slot = first; slot >= 0;) {
      const int32_t next = orders_[slot].next;
      index_.erase(orders_[slot].id);
      release(slot);
      slot = next;
    }
  }

  int32_t allocate() {
    if (!free_.empty()) {
      const int32_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    orders_.push_back(Order{});
    return static_cast<int32_t>(orders_.size() - 1);
  }
  void release(int32_t slot) { free_.push_back(slot); }

  OrderIndex index_;
  std::vector<Order> orders_;
  std::vector<int32_t> free_;
};

class Output {
 public:
  explicit Output(const char* path) : fd_(std::strcmp(path, "-") == 0 ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
    if (fd_ < 0) fail("cannot write", path);
  }
  ~Output() { flush(); }

  void text(const char* s, size_t n) {
    std::memcpy(at_, s, n);
    at_ += n;
  }
  void byte(char c) { *at_++ = c; }

  void unsignedInt(uint64_t value) {
    char digits[20];
    int n = 0;
    do digits[n++] = static_cast<char>('0' + value % 10);
    while ((value /= 10) != 0);
    while (n > 0) *at_++ = digits[--n];
  }

  /** `units` / 10^4 as the shortest decimal (trailing zeros dropped), as JavaScript prints price / 10000. */
  void price(int64_t units) {
    unsignedInt(static_cast<uint64_t>(units / 10000));
    int fraction = static_cast<int>(units % 10000);
    if (fraction == 0) return;
    char digits[4];
    for (int k = 3; k >= 0; k--, fraction /= 10) digits[k] = static_cast<char>('0' + fraction % 10);
    int n = 4;
    while (digits[n - 1] == '0') n--;
    byte('.');
    text(digits, n);
  }

  /** Ends a row; writes the buffer out when it is nearly full. */
  void endRow() {
    byte('\n');
    if (at_ - buffer_ > static_cast<long>(sizeof buffer_) - 256) flush();
  }

  void flush() {
    for (const char* from = buffer_; from < at_;) {
      const ssize_t wrote = write(fd_, from, at_ - from);
      if (wrote < 0) fail("write", "error");
      from += wrote;
    }
    at_ = buffer_;
  }

 private:
  int fd_;
  char buffer_[1 << 20];
  char* at_ = buffer_;
};

/**
 * Peak resident memory in KiB, as bench/report-rss.ts reads it for the Node processes: Linux's VmHWM, which
 * belongs to this program's address space (getrusage's ru_maxrss also counts the parent's resident size at
 * the fork that started it); elsewhere ru_maxrss.
 */
long peakKb() {
  if (FILE* status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long kb = -1;
    while (kb < 0 && std::fgets(line, sizeof line, status) != nullptr) std::sscanf(line, "VmHWM: %ld kB", &kb);
    std::fclose(status);
    if (kb >= 0) return kb;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void level(Output& out, const Levels& side) {
  if (side.empty()) return out.byte(',');
  out.price(side.bestPrice());
  out.byte(',');
  out.unsignedInt(static_cast<uint64_t>(side.bestSize()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) fail("usage", "native-lobster MESSAGE_FILE ORDERBOOK_FILE|- OUT_CSV|- BASE_EPOCH_SECONDS");
  LineReader messages(argv[1]);
  LineReader* orderbook = std::strcmp(argv[2], "-") == 0 ? nullptr : new LineReader(argv[2]);
  static Output out(argv[3]);
  const int64_t baseSeconds = std::atoll(argv[4]);
  Book book;
  const char header[] = "ts_ns,seq,bid_px,bid_sz,ask_px,ask_sz\n";
  out.text(header, sizeof header - 1);
  const char *begin, *end;
  uint64_t seq = 0;
  while (messages.next(&begin, &end)) {
    if (begin == end) continue;
    // time (seconds.fraction), type, order id, size, price, direction
    const char* at = begin;
    int64_t seconds = 0;
    while (static_cast<unsigned>(*at - '0') < 10) seconds = seconds * 10 + (*at++ - '0');
    const char* fraction = *at == '.' ? ++at : at;
    while (static_cast<unsigned>(*at - '0') < 10) at++;
    const int fractionDigits = static_cast<int>(at - fraction);
    if (*at++ != ',') fail("malformed time", begin);
    const int64_t type = integer(at);
    const int64_t id = integer(at);
    const int64_t size = integer(at);
    const int64_t price = integer(at);
    const int side = static_cast<int>(integer(at));
    if (type == 1) book.add(id, price, size, side);
    else if (type == 2 || type == 3 || type == 4) book.reduce(static_cast<int>(type), id, price, size, side);
    if (orderbook != nullptr) {
      // Level 1 hides deeper levels: take the best levels the orderbook row shows, drop better stale ones.
      const char *rowBegin, *rowEnd;
      if (!orderbook->next(&rowBegin, &rowEnd)) fail("orderbook file", "ends before the message file");
      const char* row = rowBegin;
      const int64_t askPrice = integer(row), askSize = integer(row), bidPrice = integer(row), bidSize = integer(row);
      for (int rowSide : {-1, 1}) {
        const Levels& levels = rowSide == 1 ? book.bids : book.asks;
        const int64_t rowPrice = rowSide == 1 ? bidPrice : askPrice;
        const int64_t rowSize = rowSide == 1 ? bidSize : askSize;
        if (rowSize <= 0) continue;
        while (!levels.empty() && (rowSide == 1 ? levels.bestPrice() > rowPrice : levels.bestPrice() < rowPrice)) book.setLevel(rowSide, levels.bestPrice(), 0);
        if (levels.get(rowPrice) != rowSize) book.setLevel(rowSide, rowPrice, rowSize);
      }
    }
    out.unsignedInt(static_cast<uint64_t>(baseSeconds + seconds));
    out.text(fraction, fractionDigits);
    for (int k = fractionDigits; k < 9; k++) out.byte('0');
    out.byte(',');
    out.unsignedInt(++seq);
    out.byte(',');
    level(out, book.bids);
    out.byte(',');
    level(out, book.asks);
    out.endRow();
  }
  out.flush();
  delete orderbook;
  std::fprintf(stderr, "FLOWMINE_MAX_RSS_KB=%ld\n", peakKb());
  return 0;
}
