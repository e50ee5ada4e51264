// Runs a task every `period` on its own thread until stopped. For work whose
// schedule lives in the database (calendar refreshes: next_fetch_at), so a
// missed tick loses nothing: the next one finds what is due.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace rdv {

class PeriodicTask {
 public:
  PeriodicTask(std::string name, std::chrono::milliseconds period, std::function<void()> task);
  ~PeriodicTask();  // stops and joins
  PeriodicTask(const PeriodicTask&) = delete;

  void stop();
  // Started and not stopped: its thread goes on ticking (a failing task is
  // logged and tried again at the next tick, never ends the thread).
  bool running();

 private:
  void run();

  std::string name_;
  std::chrono::milliseconds period_;
  std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rdv
