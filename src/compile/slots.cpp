// Step 5 of the compiler: temporaries share slots. Emission gives every intermediate value
// its own slot, used once, right after it is written; the hydrogen model had four times as
// many temporaries as variables, and a batch block of eight lanes then needed 1.3 MB of slots,
// more than the processor's cache. Here each temporary takes a slot that is free again once
// the value in it has been read for the last time, so the slots in use at once are the
// variables plus the few temporaries of the deepest expression.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "compile/compiler.hpp"

namespace h2sim::detail {

namespace {

template <class F>
void for_each_read(const Instruction& in, F f) {
  f(in.a);
  if (reads_b(in.op) && in.b != in.a) f(in.b);
  if (reads_c(in) && in.c != in.a && (!reads_b(in.op) || in.c != in.b)) f(in.c);
}

// Whether every temporary of `code` is written once, before it is read: what sharing needs.
bool written_once_before_read(const std::vector<Instruction>& code,
                              const std::unordered_set<std::int32_t>& temporary) {
  std::unordered_set<std::int32_t> written;
  bool ok = true;
  for (const Instruction& in : code) {
    for_each_read(in, [&](std::int32_t s) {
      if (temporary.count(s) && !written.count(s)) ok = false;
    });
    if (temporary.count(in.dst) && !written.insert(in.dst).second) ok = false;
  }
  return ok;
}

}  // namespace

void Compiler::reuse_temporaries() {
  const std::int32_t begin = temporaries_begin_;
  std::unordered_set<std::int32_t> literal;
  for (const auto& [slot, value] : data_.literals) literal.insert(slot);
  std::unordered_set<std::int32_t> temporary;
  for (std::int32_t s = begin; s < data_.slot_count; ++s)
    if (!literal.count(s)) temporary.insert(s);
  // Anything but the compiler's own pattern keeps every slot as emitted.
  if (!written_once_before_read(data_.init_code, temporary) ||
      !written_once_before_read(data_.step_code, temporary))
    return;
  std::unordered_map<std::int32_t, std::int32_t> literal_to;  // old slot -> new slot
  std::int32_t next = begin;
  for (auto& [slot, value] : data_.literals) {
    literal_to[slot] = next;
    slot = next++;
  }
  const std::int32_t pool_begin = next;
  std::int32_t high_water = pool_begin;
  for (std::vector<Instruction>* code : {&data_.init_code, &data_.step_code}) {
    std::unordered_map<std::int32_t, std::size_t> last_read;
    for (std::size_t i = 0; i < code->size(); ++i)
      for_each_read((*code)[i], [&](std::int32_t s) {
        if (temporary.count(s)) last_read[s] = i;
      });
    std::unordered_map<std::int32_t, std::int32_t> to;  // temporary -> shared slot
    std::vector<std::int32_t> free;
    std::int32_t end = pool_begin;
    auto place = [&](std::int32_t& s) {
      if (const auto l = literal_to.find(s); l != literal_to.end())
        s = l->second;
      else if (const auto t = to.find(s); t != to.end())
        s = t->second;
    };
    for (std::size_t i = 0; i < code->size(); ++i) {
      Instruction& in = (*code)[i];
      std::vector<std::int32_t> done;  // temporaries read here for the last time
      for_each_read(in, [&](std::int32_t s) {
        if (temporary.count(s) && last_read[s] == i) done.push_back(s);
      });
      const std::int32_t written = in.dst;
      place(in.a);
      if (reads_b(in.op)) place(in.b);
      if (reads_c(in)) place(in.c);
      if (temporary.count(written)) {
        std::int32_t slot = end;
        if (free.empty()) {
          ++end;
        } else {
          slot = free.back();
          free.pop_back();
        }
        to[written] = slot;
        in.dst = slot;
        if (!last_read.count(written)) free.push_back(slot);  // never read
      } else {
        place(in.dst);
      }
      // Freed after the result has its slot, so no instruction writes a slot it reads.
      for (const std::int32_t s : done) free.push_back(to.at(s));
    }
    high_water = std::max(high_water, end);
  }
  for (std::int32_t& s : data_.breakpoint_slots)
    if (const auto l = literal_to.find(s); l != literal_to.end()) s = l->second;
  for (auto& [first, interval] : data_.pulse_breakpoints) {
    if (const auto l = literal_to.find(first); l != literal_to.end()) first = l->second;
    if (const auto l = literal_to.find(interval); l != literal_to.end()) interval = l->second;
  }
  data_.slot_count = high_water;
}

}  // namespace h2sim::detail
